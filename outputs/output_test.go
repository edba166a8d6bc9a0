package outputs

import "github.com/logtally/logtally/pipeline"

// Every output is a pipeline.Output (the interface lives with its consumer).
var (
	_ pipeline.Output = (*JSONLines)(nil)
	_ pipeline.Output = (*KVLines)(nil)
	_ pipeline.Output = (*Prometheus)(nil)
	_ pipeline.Output = (*Syslog)(nil)
	_ pipeline.Output = (*TopFiles)(nil)
)
