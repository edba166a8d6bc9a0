// Package outputs delivers closed minutes to where people and programs read
// them: syslog, key=value lines, JSON lines, top-N files, a Prometheus
// textfile, and the unknown-line spool. Each output implements
// pipeline.Output (Write a minute, Close), one file per output. The RRD
// output, which links librrd, lives apart in outputs/rrd so that this
// package and the engine build without cgo.
package outputs
