package main

import (
	"github.com/logtally/logtally/outputs/rrd"
	"log/slog"

	"github.com/logtally/logtally/holtwinters"
	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/rules"
)

// forecastParams turns a category's forecast block into the Holt-Winters
// parameters of its RRD files and in-process detectors.
func forecastParams(set *rules.Set) func(category string) holtwinters.Params {
	byName := map[string]rules.Forecast{}
	for _, c := range set.Categories {
		byName[c.Name] = c.Forecast
	}
	return func(category string) holtwinters.Params {
		f, ok := byName[category]
		if !ok {
			f = rules.DefaultForecast
		}
		return f.Params()
	}
}

// alertSink delivers aberration alerts: a syslog line at warning severity
// and a JSON-lines record, whichever are configured. It never blocks (the
// syslog output queues).
type alertSink struct {
	syslog *outputs.Syslog
	json   *outputs.JSONLines
	log    *slog.Logger
}

func (a *alertSink) send(al rrd.Alert) {
	a.log.Warn("aberration", "alert", al.String())
	if a.syslog != nil {
		if err := a.syslog.Send(al.String()); err != nil {
			a.log.Error("alert not sent", "err", err)
		}
	}
	if a.json != nil {
		rec, err := al.MarshalJSON()
		if err == nil {
			err = a.json.WriteRecord(rec)
		}
		if err != nil {
			a.log.Error("alert not written", "err", err)
		}
	}
}
