module github.com/logtally/logtally

go 1.26.8

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/chromedp/chromedp v0.24.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/leodido/go-syslog/v4 v4.5.0 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	github.com/ziutek/rrd v0.0.4 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
