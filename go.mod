module github.com/logtally/logtally

go 1.26.8

require (
	github.com/klauspost/compress v1.20.3
	github.com/leodido/go-syslog/v4 v4.5.0
	github.com/spf13/pflag v1.0.10
	github.com/ziutek/rrd v0.0.4
	go.yaml.in/yaml/v3 v3.0.6
)
