package aireport

import (
	"html/template"
	"io"
	"time"
)

// WriteHTML writes a self-contained page (no external assets): per section
// the NEW groups, the known-line rule counts and the full ranking, each a
// table sortable by clicking its column headers.
func WriteHTML(w io.Writer, r *Report) error {
	return htmlTmpl.Execute(w, r)
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"ts": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01-02 15:04")
	},
	"name": sectionName,
	"odd":  oddities,
	"deref": func(p *int64) any {
		if p == nil {
			return ""
		}
		return *p
	},
	"newgroups": func(gs []*Group) []*Group {
		var out []*Group
		for _, g := range gs {
			if g.New {
				out = append(out, g)
			}
		}
		return out
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Unknown-log report {{.Generated.Format "2006-01-02 15:04"}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h2{border-bottom:2px solid #888;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;width:100%}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#eee;cursor:pointer;user-select:none;white-space:nowrap}
th.sorted-asc::after{content:" \25B2"}th.sorted-desc::after{content:" \25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{white-space:pre-wrap;word-break:break-all}
.new{background:#fff3cd}.alert{background:#f8d7da}.ex{color:#666;font-size:.9em}
.err{color:#a00}
</style></head><body>
<h1>Unknown-log report</h1>
<p>Generated {{.Generated.Format "2006-01-02 15:04:05 MST"}}{{if .Since}}, since {{ts .Since}}{{end}}{{if .Until}}, until {{ts .Until}}{{end}}.
Masks <b>{{.Masks}}</b>, grouping <b>{{.Grouping}}</b>, header <b>{{.Header}}</b>, {{len .Inputs}} inputs.
{{if .FirstRun}}<br>First run with state file {{.StateFile}}: nothing is marked NEW.{{end}}</p>
{{range .Errors}}<p class="err">ERROR: {{.}}</p>{{end}}
{{range .Sections}}
<h2>{{name .Category}}</h2>
<p>{{.Lines}} lines: {{.Ignored}} ignored, {{.Claimed}} claimed by counting rules, {{.Ranked}} ranked in {{len .Groups}} groups{{if .NewGroups}}, <b>{{.NewGroups}} NEW</b>{{end}}.{{with odd .}} ({{.}}){{end}}</p>
{{with newgroups .Groups}}
<h3>NEW: never seen before</h3>
<table class="sortable"><thead><tr><th>count</th><th>template</th><th>first seen</th><th>examples</th></tr></thead><tbody>
{{range .}}<tr class="new"><td class="n">{{.Count}}</td><td><code>{{.Key}}</code></td><td>{{ts .FirstSeen}}</td><td class="ex">{{range .Examples}}<code>{{.}}</code><br>{{end}}</td></tr>
{{end}}</tbody></table>
{{end}}
{{if .Rules}}
<h3>Known lines, by rule</h3>
<table class="sortable"><thead><tr><th>rule</th><th>kind</th><th>count</th><th>previous</th><th>change</th></tr></thead><tbody>
{{range .Rules}}<tr{{if .Alert}} class="alert"{{end}}><td>{{.Rule}}</td><td>{{if .Ignore}}ignore{{else}}count{{end}}</td><td class="n">{{.Count}}</td><td class="n">{{deref .Previous}}</td><td class="n">{{.Change}}</td></tr>
{{end}}</tbody></table>
{{end}}
<h3>Unknown lines, most frequent first</h3>
<table class="sortable"><thead><tr><th>count</th><th>new</th><th>template</th><th>first seen</th><th>last seen</th><th>examples</th></tr></thead><tbody>
{{range .Groups}}<tr{{if .New}} class="new"{{end}}><td class="n">{{.Count}}</td><td>{{if .New}}NEW{{end}}</td><td><code>{{.Key}}</code></td><td>{{ts .FirstSeen}}</td><td>{{ts .LastSeen}}</td><td class="ex">{{range .Examples}}<code>{{.}}</code><br>{{end}}</td></tr>
{{end}}</tbody></table>
{{end}}
{{if .Suggest}}<h2>Suggested rules</h2><pre>{{range .Suggest}}{{.YAML}}{{end}}</pre>{{end}}
<script>
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th").forEach(function(th,col){
    th.addEventListener("click",function(){
      var asc=!th.classList.contains("sorted-asc");
      t.querySelectorAll("th").forEach(function(h){h.classList.remove("sorted-asc","sorted-desc")});
      th.classList.add(asc?"sorted-asc":"sorted-desc");
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[col].textContent.trim(),y=b.cells[col].textContent.trim();
        var nx=parseFloat(x.replace(/[+%]/g,"")),ny=parseFloat(y.replace(/[+%]/g,""));
        var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return asc?c:-c;
      });
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
});
</script>
</body></html>
`))
