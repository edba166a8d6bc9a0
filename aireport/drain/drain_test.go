package drain

import "testing"

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
