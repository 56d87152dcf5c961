package sim

// Meter integrates a node's power draw over virtual time: energy is busy
// time times busy power plus idle time times idle power. A node is busy while
// it runs a compute job or declares itself busy (e.g. hashing); overlapping
// reasons count once.
type Meter struct {
	BusyW, IdleW float64
	busy         int  // number of current reasons to be busy
	since        Time // when busy last became > 0
	busyNs       Time // accumulated busy time before since
}

// Acquire marks one more reason to be busy from now on.
func (m *Meter) Acquire(now Time) {
	if m.busy == 0 {
		m.since = now
	}
	m.busy++
}

// Release drops one reason to be busy.
func (m *Meter) Release(now Time) {
	if m.busy == 0 {
		return
	}
	m.busy--
	if m.busy == 0 {
		m.busyNs += now - m.since
	}
}

// Busy is the busy time accumulated up to now.
func (m *Meter) Busy(now Time) Time {
	if m.busy > 0 {
		return m.busyNs + now - m.since
	}
	return m.busyNs
}

// Joules is the energy used from time 0 to now.
func (m *Meter) Joules(now Time) float64 {
	b := m.Busy(now)
	return (float64(b)*m.BusyW + float64(now-b)*m.IdleW) / 1e9
}
