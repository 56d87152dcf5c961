package nodes

// Charged is implemented by a Job that stands in for a larger one: the
// small job is really run (its result decides what the node does), but
// the simulator charges the declared work of the job it stands for, so
// that virtual time and energy are those of the real workload (a
// scenario's [[coinai.standin]]: "ResNet-18 on CIFAR-10" for a digits
// network). ChargedFLOPs returns that work and true, or false when the job
// declares none and is charged its counted FLOPs (times its class's cost
// scale).
type Charged interface {
	ChargedFLOPs() (float64, bool)
}

// ChargedFLOPs returns the work j declares through Charged, if any.
func ChargedFLOPs(j Job) (float64, bool) {
	if c, ok := j.(Charged); ok {
		return c.ChargedFLOPs()
	}
	return 0, false
}
