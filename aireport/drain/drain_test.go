package drain

import (
	"strings"
	"testing"
)

func TestTemplates(t *testing.T) {
	d := New(Default)
	msgs := []string{
		"Accepted password for bob from <IP> port <PORT> ssh2",
		"Accepted password for eve from <IP> port <PORT> ssh2",
		"Accepted publickey for eve from <IP> port <PORT> ssh2",
		"Failed password for bob from <IP> port <PORT> ssh2",
		"<HEX>: removed",
		"<NUM>: removed",
		"<HEX>: client=mail.example.com[<IP>]",
		"<HEX>: client=mx.example.net[<IP>]",
		"connection reset",
	}
	var ids []int
	for _, m := range msgs {
		ids = append(ids, d.Add(m).Cluster.ID)
	}
	// the first two tokens route (depth 4): "Accepted publickey" is a leaf of its own
	want := []int{0, 0, 1, 2, 3, 3, 4, 4, 5}
	for i := range want {
		if ids[i] != want[i] {
			t.Errorf("%q: cluster %d, want %d", msgs[i], ids[i], want[i])
		}
	}
	tmpl := map[int]string{
		0: "Accepted password for <*> from <IP> port <PORT> ssh2",
		3: "<*>: removed",
		4: "<HEX>: client=<*>",
	}
	for id, w := range tmpl {
		if got := d.Clusters()[id].Template(); got != w {
			t.Errorf("cluster %d: %q, want %q", id, got, w)
		}
	}
	if s := d.Clusters()[0].Size; s != 2 {
		t.Errorf("size %d", s)
	}
}

func TestSeedKeepsTemplates(t *testing.T) {
	d := New(Default)
	c := d.Seed("Accepted <*> for <*> from <IP> port <PORT> ssh2")
	if got := d.Add("Accepted password for bob from <IP> port <PORT> ssh2"); got.Cluster != c.Cluster || got.Template() != "Accepted <*> for <*> from <IP> port <PORT> ssh2" {
		t.Errorf("seeded template not reused: %q", got.Template())
	}
}

func TestMaxChildren(t *testing.T) {
	d := New(Config{Depth: 4, SimThreshold: 0.5, MaxChildren: 3})
	for _, w := range []string{"a", "b", "c", "d", "e"} {
		d.Add(w + " x y")
	}
	if n := len(d.Clusters()); n < 2 {
		t.Errorf("clusters %d", n)
	}
}

// A position that takes a few plain words over many lines tells events
// apart; once it takes more words than MaxValues it is a variable again.
func TestFewValuedWordsSplit(t *testing.T) {
	d := New(Default)
	var subs []*Sub
	for i := 0; i < 40; i++ {
		w := []string{"Started", "Paused", "Resumed", "Stopped"}[i%4]
		subs = append(subs, d.Add("[instance: <UUID>] VM "+w+" (Lifecycle Event)"))
	}
	if n := len(d.Clusters()); n != 1 {
		t.Fatalf("%d clusters, want 1", n)
	}
	for i, s := range subs {
		w := []string{"Started", "Paused", "Resumed", "Stopped"}[i%4]
		if got, want := s.Template(), "[instance: <UUID>] VM "+w+" (Lifecycle Event)"; got != want {
			t.Fatalf("line %d: %q, want %q", i, got, want)
		}
	}

	d = New(Default)
	var last *Sub
	for _, u := range []string{"ann", "bob", "cyd", "dan", "eve", "fay", "gus", "hal", "ann", "bob"} {
		last = d.Add("Accepted password for " + u + " from <IP>")
	}
	if got := last.Template(); got != "Accepted password for <*> from <IP>" {
		t.Errorf("ten different names: %q, want a variable", got)
	}

	d = New(Default)
	for i := 0; i < 20; i++ {
		last = d.Add("session opened for user " + []string{"root", "news"}[i%2])
	}
	if got := last.Template(); got != "session opened for user <*>" {
		t.Errorf("a name after \"user\" split the cluster: %q", got)
	}

	d = New(Default)
	d.Add("the VM is Started now")
	last = d.Add("the VM is Paused now")
	if got := last.Template(); got != "the VM is <*> now" {
		t.Errorf("two lines are no evidence: %q", got)
	}
}

// Messages a few variable-like tokens longer or shorter join the cluster.
func TestVariableLength(t *testing.T) {
	d := New(Default)
	a := d.Add("<HOST>:<NUM> close, <NUM> bytes sent, <NUM> bytes received, lifetime <TIME>")
	b := d.Add("<HOST>:<NUM> close, <NUM> bytes (<NUM> KB) sent, <NUM> bytes (<NUM> MB) received, lifetime <<NUM> sec")
	c := d.Add("BLOCK* ask <IP>:<NUM> to delete blk_<NUM>")
	e := d.Add("BLOCK* ask <IP>:<NUM> to delete blk_<NUM> blk_<NUM> blk_<NUM>")
	f := d.Add("onExtend:<NUM> <NUM>")
	g := d.Add("onExtend:<NUM> <NUM> <NUM> <NUM>")
	if a.Cluster != b.Cluster {
		t.Errorf("sizes in parentheses and units made another cluster: %q", b.Template())
	}
	if c.Cluster != e.Cluster {
		t.Errorf("a longer id list made another cluster: %q", e.Template())
	}
	if f.Cluster == g.Cluster {
		t.Error("more bare numbers joined the cluster: another event")
	}
	if got := b.Template(); got != "<HOST>:<NUM> close, <NUM> bytes sent, <NUM> bytes received, lifetime <*>" {
		t.Errorf("template %q", got)
	}
}

// FuzzAdd: any sequence of messages, of any lengths, files without panic
// into one of the Drain's clusters, and the template renders.
func FuzzAdd(f *testing.F) {
	f.Add("a (<NUM> KB) b\nc <*> d\na b\nblk_<NUM> blk_<NUM>\n<1 sec")
	f.Fuzz(func(t *testing.T, msgs string) {
		d := New(Default)
		for _, m := range strings.Split(msgs, "\n") {
			s := d.Add(m)
			if cs := d.Clusters(); s.Cluster.ID >= len(cs) || cs[s.Cluster.ID] != s.Cluster {
				t.Fatalf("%q: sub-group of an unknown cluster", m)
			}
			_ = s.Template()
		}
	})
}

// FuzzSameShape: the allocation-free sameShape that match uses agrees
// with same, which builds the generalized token.
func FuzzSameShape(f *testing.F) {
	for _, s := range [][2]string{
		{"<HEX>:", "<NUM>:"}, {"<NUM>", "<*>"}, {"a<NUM>b", "a<IP>b"}, {"<<NUM>>", "<<*>>"},
		{"<NUM>", "12"}, {"x<", "x<"}, {"<*>", "<*"}, {"<A>b", "<B>c"}, {"<NUM>:<NUM>", "<NUM>:"},
		{"core.<NUM>", "core.<NUM>"}, {"<a>", "<b>"}, {"", "<NUM>"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		want, _ := same(a, b)
		if got := sameShape(a, b); got != want {
			t.Errorf("sameShape(%q, %q) = %v, same says %v", a, b, got, want)
		}
	})
}
