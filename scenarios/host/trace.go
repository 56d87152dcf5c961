package host

import (
	"strconv"

	"github.com/coinai/coinai/sim"
)

var kindNames = [...]string{evMessage: "message", evTimer: "timer", evCompute: "compute", evStart: "start", evFault: "fault"}

// traceEvent writes one JSON Lines record of a delivered event (trace.jsonl).
func (h *Host) traceEvent(ev *sim.Event) {
	var b []byte
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, ev.At, 10)
	b = append(b, `,"kind":"`...)
	if int(ev.Kind) < len(kindNames) {
		b = append(b, kindNames[ev.Kind]...)
	}
	b = append(b, `","src":`...)
	b = strconv.AppendInt(b, int64(ev.Src), 10)
	b = append(b, `,"dst":`...)
	b = strconv.AppendInt(b, int64(ev.Dst), 10)
	b = append(b, `,"id":"`...)
	b = strconv.AppendUint(b, ev.ID, 16)
	b = append(b, '"')
	if ev.Kind == evMessage {
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, int64(len(ev.Data))+ev.Aux, 10)
	}
	b = append(b, "}\n"...)
	h.cfg.Trace.Write(b)
}
