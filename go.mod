module github.com/logtally/logtally

go 1.26.8

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/leodido/go-syslog/v4 v4.5.0 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	github.com/ziutek/rrd v0.0.4 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
