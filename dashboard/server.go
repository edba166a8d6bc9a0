package dashboard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

//go:embed assets templates
var embedded embed.FS

// contentPolicy allows only the dashboard's own scripts, styles and API:
// no inline script or style, nothing from elsewhere, no framing.
const contentPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// reportPolicy is for aireport's self-contained HTML page (inline CSS and
// script): sandboxed into an opaque origin, so even a script in it could
// not read the dashboard or its API.
const reportPolicy = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

// Credentials is the optional basic-auth user: the password is stored as
// its SHA-256 (hex), so the file holds no usable secret.
type Credentials struct {
	User           string
	PasswordSHA256 [32]byte
}

// ParseCredentials reads "user:sha256-hex-of-password" (the first line).
func ParseCredentials(b []byte) (*Credentials, error) {
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	user, sum, ok := strings.Cut(strings.TrimSpace(line), ":")
	if !ok || user == "" {
		return nil, errors.New("auth file: want one line user:SHA256HEX")
	}
	raw, err := hex.DecodeString(sum)
	if err != nil || len(raw) != 32 {
		return nil, errors.New("auth file: the password must be given as 64 hex digits of its SHA-256")
	}
	c := &Credentials{User: user}
	copy(c.PasswordSHA256[:], raw)
	return c, nil
}

// ServerConfig configures the HTTP side.
type ServerConfig struct {
	Auth *Credentials // nil: no authentication (the default listens on loopback only)
	// PollEvery is how often the files are checked for new data. Default 5s.
	PollEvery time.Duration
	Logger    *slog.Logger
}

// Server serves the pages, the JSON API and the embedded assets.
type Server struct {
	d     *Dashboard
	cfg   ServerConfig
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// NewServer builds the handler; Run must run for the data to stay live.
func NewServer(d *Dashboard, cfg ServerConfig) (*Server, error) {
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{d: d, cfg: cfg, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, page := range []string{"overview", "category", "alerts", "unknown"} {
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(embedded, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	static, err := fs.Sub(embedded, "assets")
	if err != nil {
		return nil, err
	}
	files := http.FileServerFS(static)
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", noDirs(files)))
	s.mux.HandleFunc("GET /{$}", s.overviewPage)
	s.mux.HandleFunc("GET /category/{name}", s.categoryPage)
	s.mux.HandleFunc("GET /alerts", s.alertsPage)
	s.mux.HandleFunc("GET /unknown", s.unknownPage)
	s.mux.HandleFunc("GET /unknown/report.html", s.reportHTML)
	s.mux.HandleFunc("GET /api/overview", s.apiOverview)
	s.mux.HandleFunc("GET /api/category/{name}", s.apiCategory)
	s.mux.HandleFunc("GET /api/series/{category}/{counter}", s.apiSeries)
	s.mux.HandleFunc("GET /api/alerts", s.apiAlerts)
	s.mux.HandleFunc("GET /api/unknown", s.apiUnknown)
	s.mux.HandleFunc("GET /api/version", s.apiVersion)
	s.mux.HandleFunc("GET /api/events", s.apiEvents)
	return s, nil
}

// Run polls the files until ctx ends. The first poll has happened when
// Run's caller sees ready closed (nil ready is allowed).
func (s *Server) Run(ctx context.Context, ready chan<- struct{}) {
	if err := s.d.Poll(); err != nil {
		s.cfg.Logger.Warn("dashboard: reading summaries", "err", err)
	}
	if ready != nil {
		close(ready)
	}
	t := time.NewTicker(s.cfg.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.d.Poll(); err != nil {
				s.cfg.Logger.Warn("dashboard: reading summaries", "err", err)
			}
		}
	}
}

// ServeHTTP adds the security headers, checks basic auth, and refuses
// anything but GET and HEAD: the dashboard is read-only.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	if s.cfg.Auth != nil && !s.authorized(r) {
		h.Set("WWW-Authenticate", `Basic realm="logtally", charset="UTF-8"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(pass))
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.Auth.User))
	passOK := subtle.ConstantTimeCompare(sum[:], s.cfg.Auth.PasswordSHA256[:])
	return userOK&passOK == 1
}

// noDirs hides directory listings of the embedded assets.
func noDirs(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// pageData is what every template gets.
type pageData struct {
	Title   string
	Nav     string
	Version string
	Stale   *time.Time // newest minute, when older than StaleAfter
	Data    any
}

func (s *Server) render(w http.ResponseWriter, name, title string, data any) {
	p := pageData{Title: title, Nav: name, Version: s.d.Version(), Data: data}
	ov := s.d.sums
	ov.mu.RLock()
	newest := ov.newest
	ov.mu.RUnlock()
	if !newest.IsZero() && s.d.stale(newest) {
		p.Stale = &newest
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.cfg.Logger.Error("dashboard: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, "overview", "Overview", s.d.overview(false))
}

func rangeParam(r *http.Request, def string) (Range, bool) {
	name := r.URL.Query().Get("range")
	if name == "" {
		name = def
	}
	return RangeByName(name)
}

func (s *Server) categoryPage(w http.ResponseWriter, r *http.Request) {
	rg, ok := rangeParam(r, "6h")
	if !ok {
		http.Error(w, "unknown range", http.StatusBadRequest)
		return
	}
	v, err := s.d.Category(r.PathValue("name"), rg)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	s.render(w, "category", v.Name, struct {
		*CategoryView
		Ranges []Range
	}{v, Ranges})
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, "alerts", "Alerts", s.d.Alerts(500))
}

func (s *Server) unknownPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.d.Unknown()
	if err != nil {
		s.render(w, "unknown", "Unknown logs", struct {
			*Unknown
			Error string
		}{&Unknown{}, err.Error()})
		return
	}
	s.render(w, "unknown", "Unknown logs", struct {
		*Unknown
		Error string
	}{u, ""})
}

// reportHTML serves the newest report's own HTML page, sandboxed.
func (s *Server) reportHTML(w http.ResponseWriter, r *http.Request) {
	path := s.d.reps.htmlPath()
	if path == "" {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Security-Policy", reportPolicy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "report.html", fi.ModTime(), f)
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		s.cfg.Logger.Warn("dashboard: write json", "err", err)
	}
}

func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, s.d.Overview())
}

func (s *Server) apiCategory(w http.ResponseWriter, r *http.Request) {
	rg, ok := rangeParam(r, "6h")
	if !ok {
		http.Error(w, "unknown range", http.StatusBadRequest)
		return
	}
	v, err := s.d.Category(r.PathValue("name"), rg)
	if err != nil {
		http.Error(w, "unknown category", http.StatusNotFound)
		return
	}
	s.writeJSON(w, v)
}

func (s *Server) apiSeries(w http.ResponseWriter, r *http.Request) {
	rg, ok := rangeParam(r, "6h")
	if !ok {
		http.Error(w, "unknown range", http.StatusBadRequest)
		return
	}
	series, err := s.d.Series(r.PathValue("category"), r.PathValue("counter"), rg)
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "unknown category or counter", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.writeJSON(w, series)
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	limit := 500
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAlerts {
			http.Error(w, "limit: 1 to "+strconv.Itoa(maxAlerts), http.StatusBadRequest)
			return
		}
		limit = n
	}
	s.writeJSON(w, s.d.Alerts(limit))
}

func (s *Server) apiUnknown(w http.ResponseWriter, r *http.Request) {
	u, err := s.d.Unknown()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.writeJSON(w, u)
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, map[string]string{"version": s.d.Version()})
}

// apiEvents is a server-sent-events stream: an "update" event carrying the
// data version whenever it changes (checked every second), and a comment
// every 30 s so that proxies keep the connection.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	last := ""
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	idle := 0
	for {
		if v := s.d.Version(); v != last {
			last = v
			fmt.Fprintf(w, "event: update\ndata: %s\n\n", v)
			flusher.Flush()
			idle = 0
		} else if idle++; idle >= 30 {
			fmt.Fprint(w, ": keep-alive\n\n")
			flusher.Flush()
			idle = 0
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}
