package corpus

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// heldOut is a second labelled set, of daemons and messages that are not
// in labelled: the masks and the Drain parameters were chosen on labelled,
// so only this set gives an honest (untuned) grouping accuracy. The shapes
// are those the daemons really write to syslog. As in labelled, some
// families differ in one word (Ban/Unban, OK/FAIL LOGIN, clean message/
// identified spam, rsync on/to, scrub_start/scrub_finish, SMART Usage/
// Prefailure), share long prefixes (haproxy's UP/DOWN, postgres'
// connection received/authorized) or have variable fields of different
// token counts (SQL statements, application names, openvpn common names
// as the first word).
var heldOut = []struct {
	id, prog, msg string
}{
	{"haproxy-http", "haproxy", "{ip4}:{port} [{clfts}] fe_http~ be_web/web{small} 0/0/{small}/{num}/{num} {status} {num} - - ---- {small}/{small}/0/0/0 0/0 \"{method} /{path} HTTP/1.1\""},
	{"haproxy-down", "haproxy", "Server be_web/web{small} is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: {small}ms, {small} active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."},
	{"haproxy-up", "haproxy", "Server be_web/web{small} is UP, reason: Layer7 check passed, code: 200, check duration: {small}ms, {small} active and 0 backup servers online. 0 sessions requeued, 0 total in queue."},
	{"mariadb-aborted", "mariadbd", "{date} {hms} {num} [Warning] Aborted connection {num} to db: '{db}' user: '{user}' host: '{ip4}' (Got an error reading communication packets)"},
	{"mariadb-denied", "mariadbd", "{date} {hms} {num} [Warning] Access denied for user '{user}'@'{ip4}' (using password: YES)"},
	{"pg-conn-received", "postgres", "[{small}-1] LOG:  connection received: host={ip} port={port}"},
	{"pg-conn-authorized", "postgres", "[{small}-1] LOG:  connection authorized: user={user} database={db} application_name={app}"},
	{"pg-auth-failed", "postgres", "[{small}-1] FATAL:  password authentication failed for user \"{user}\""},
	{"pg-duration", "postgres", "[{small}-1] LOG:  duration: {ms} ms  statement: {sql}"},
	{"httpd-denied", "httpd", "[authz_core:error] [pid {num}:tid {num}] [client {ip4}:{port}] AH01630: client denied by server configuration: /var/www/{path}"},
	{"smartd-usage", "smartd", "Device: /dev/{disk} [SAT], SMART Usage Attribute: {uattr} changed from {pct} to {pct}"},
	{"smartd-prefail", "smartd", "Device: /dev/{disk} [SAT], SMART Prefailure Attribute: {pattr} changed from {pct} to {pct}"},
	{"smartd-pending", "smartd", "Device: /dev/{disk} [SAT], {small} Currently unreadable (pending) sectors"},
	{"zed-scrub-start", "zed", "eid={num} class=scrub_start pool='{pool}'"},
	{"zed-scrub-finish", "zed", "eid={num} class=scrub_finish pool='{pool}'"},
	{"dockerd-ignoring", "dockerd", "time=\"{rfc3339n}\" level=info msg=\"ignoring event\" container={hex64} module=libcontainerd namespace=moby topic=/tasks/delete type=\"*events.TaskDelete\""},
	{"containerd-shim-disc", "containerd", "time=\"{rfc3339n}\" level=info msg=\"shim disconnected\" id={hex64} namespace=moby"},
	{"kubelet-crashloop", "kubelet", "E1122 {hms}.{usec}    {num} pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"{ctr}\\\" with CrashLoopBackOff: \\\"back-off {backoff} restarting failed container={ctr} pod={podname}_{ns}({uuid})\\\"\" pod=\"{ns}/{podname}\" podUID=\"{uuid}\""},
	{"openvpn-tls-initial", "openvpn", "{ip4}:{port} TLS: Initial packet from [AF_INET]{ip4}:{port}, sid={hex8} {hex8}"},
	{"openvpn-ping-restart", "openvpn", "{cn}/{ip4}:{port} SIGUSR1[soft,ping-restart] received, client-instance restarting"},
	{"fail2ban-ban", "fail2ban.actions", "NOTICE  [{jail}] Ban {ip}"},
	{"fail2ban-unban", "fail2ban.actions", "NOTICE  [{jail}] Unban {ip}"},
	{"chrony-wrong", "chronyd", "System clock wrong by {frac} seconds, adjustment started"},
	{"audit-apparmor", "kernel", "audit: type=1400 audit({epoch}.{ms3}:{num}): apparmor=\"DENIED\" operation=\"open\" profile=\"{prof}\" name=\"{file}\" pid={num} comm=\"{cmd}\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0"},
	{"nm-state-change", "NetworkManager", "<info>  [{epoch}.{usec4}] device ({iface}): state change: {nmstate} -> {nmstate} (reason '{reason}', sys-iface-state: 'managed')"},
	{"avahi-join", "avahi-daemon", "Joining mDNS multicast group on interface {iface}.IPv4 with address {ip4}."},
	{"logind-new", "systemd-logind", "New session {num} of user {user}."},
	{"slapd-bind", "slapd", "conn={num} op={small} BIND dn=\"uid={user},ou=people,dc=example,dc=com\" method=128"},
	{"slapd-srch", "slapd", "conn={num} op={small} SRCH base=\"dc=example,dc=com\" scope=2 deref=0 filter=\"(uid={user})\""},
	{"vsftpd-ok-login", "vsftpd", "[{user}] OK LOGIN: Client \"{ip}\""},
	{"vsftpd-fail-login", "vsftpd", "[{user}] FAIL LOGIN: Client \"{ip}\""},
	{"exim-arrival", "exim", "{eximid} <= {email} H={host} [{ip4}] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S={num} id={qid}@{host}"},
	{"spamd-clean", "spamd", "spamd: clean message ({score}/5.0) for {user}:{num} in {dur} seconds, {num} bytes."},
	{"spamd-spam", "spamd", "spamd: identified spam ({score}/5.0) for {user}:{num} in {dur} seconds, {num} bytes."},
	{"ups-battery", "upsmon", "UPS {ups}@localhost on battery"},
	{"mdadm-degraded", "mdadm", "DegradedArray event detected on md device /dev/md{small}"},
	{"rsyncd-on", "rsyncd", "rsync on {module}/ from {user}@{host} ({ip})"},
	{"rsyncd-to", "rsyncd", "rsync to {module}/ from {user}@{host} ({ip})"},
}

var (
	hoStatus  = strings.Fields("200 200 200 200 301 304 404 502")
	hoMethods = strings.Fields("GET GET GET POST HEAD")
	hoDBs     = strings.Fields("app wordpress nextcloud gitea postgres zabbix")
	hoApps    = []string{"psql", "pg_dump", "PostgreSQL JDBC Driver", "", "pgAdmin 4 - DB:postgres", "gitea"}
	hoSQL     = []string{"COMMIT", "SELECT * FROM users WHERE id = 42", "UPDATE sessions SET last_seen = now() WHERE sid = $1", "select count(*) from oc_filecache", "DELETE FROM queue WHERE done", "VACUUM ANALYZE events"}
	hoDisks   = strings.Fields("sda sdb sdc sdd nvme0n1")
	hoUAttr   = []string{"194 Temperature_Celsius", "190 Airflow_Temperature_Cel"}
	hoPAttr   = []string{"1 Raw_Read_Error_Rate", "3 Spin_Up_Time", "7 Seek_Error_Rate"}
	hoPools   = strings.Fields("tank rpool backup data")
	hoCtrs    = strings.Fields("app nginx sidecar worker coredns")
	hoNS      = strings.Fields("default prod prod kube-system monitoring")
	hoPods    = strings.Fields("web api worker coredns prometheus")
	hoBackoff = strings.Fields("10s 20s 40s 1m20s 2m40s 5m0s")
	hoCNs     = strings.Fields("alice-laptop bob-phone carol dave-desktop office-gw")
	hoJails   = strings.Fields("sshd sshd sshd postfix-sasl nginx-http-auth recidive dovecot")
	hoProfs   = strings.Fields("/usr/sbin/cupsd snap.firefox.firefox /usr/bin/man docker-default /usr/sbin/named")
	hoFiles   = strings.Fields("/etc/ssl/openssl.cnf /proc/sys/kernel/random/boot_id /etc/gnutls/config /usr/share/zoneinfo/UTC")
	hoIfaces  = strings.Fields("eth0 eth1 wlp2s0 enp3s0 docker0 br0")
	hoNMState = strings.Fields("unmanaged unavailable disconnected prepare config ip-config ip-check secondaries activated deactivating")
	hoReasons = strings.Fields("none managed carrier-changed connection-assumed user-requested")
	hoUPS     = strings.Fields("ups myups apc1500 eaton5p")
	hoModules = strings.Fields("backup www mirror data")
)

// fillHeldOut writes the value of a field only the held-out set uses;
// false for an unknown field.
func fillHeldOut(r *rand.Rand, b *strings.Builder, field string) bool {
	pick := func(s []string) { b.WriteString(s[r.IntN(len(s))]) }
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	switch field {
	case "ip4":
		fmt.Fprintf(b, "%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	case "clfts":
		fmt.Fprintf(b, "22/Nov/2026:%02d:%02d:%02d.%03d", r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
	case "status":
		pick(hoStatus)
	case "method":
		pick(hoMethods)
	case "date":
		b.WriteString("2026-11-22")
	case "hms":
		fmt.Fprintf(b, "%02d:%02d:%02d", r.IntN(24), r.IntN(60), r.IntN(60))
	case "usec":
		fmt.Fprintf(b, "%06d", r.IntN(1000000))
	case "usec4":
		fmt.Fprintf(b, "%04d", r.IntN(10000))
	case "ms3":
		fmt.Fprintf(b, "%03d", r.IntN(1000))
	case "epoch":
		fmt.Fprintf(b, "%d", 1795300000+r.IntN(86400))
	case "db":
		pick(hoDBs)
	case "app":
		pick(hoApps)
	case "sql":
		pick(hoSQL)
	case "ms":
		fmt.Fprintf(b, "%d.%03d", r.IntN(5000), r.IntN(1000))
	case "pct":
		fmt.Fprintf(b, "%d", 20+r.IntN(81))
	case "disk":
		pick(hoDisks)
	case "uattr":
		pick(hoUAttr)
	case "pattr":
		pick(hoPAttr)
	case "pool":
		pick(hoPools)
	case "rfc3339n":
		fmt.Fprintf(b, "2026-11-22T%02d:%02d:%02d.%09dZ", r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000000000))
	case "hex64":
		const h = "0123456789abcdef"
		for k := 0; k < 64; k++ {
			b.WriteByte(h[r.IntN(16)])
		}
	case "hex8":
		fmt.Fprintf(b, "%08x", r.Uint32())
	case "ctr":
		pick(hoCtrs)
	case "ns":
		pick(hoNS)
	case "podname":
		// deployment-replicaset-pod, as the ReplicaSet controller names them
		const s = "bcdfghjklmnpqrstvwxz2456789"
		pick(hoPods)
		b.WriteByte('-')
		for k := 0; k < 10; k++ {
			b.WriteByte(s[r.IntN(len(s))])
		}
		b.WriteByte('-')
		for k := 0; k < 5; k++ {
			b.WriteByte(s[r.IntN(len(s))])
		}
	case "uuid":
		const h = "0123456789abcdef"
		for k := 0; k < 32; k++ {
			if k == 8 || k == 12 || k == 16 || k == 20 {
				b.WriteByte('-')
			}
			b.WriteByte(h[r.IntN(16)])
		}
	case "backoff":
		pick(hoBackoff)
	case "cn":
		pick(hoCNs)
	case "jail":
		pick(hoJails)
	case "prof":
		pick(hoProfs)
	case "file":
		pick(hoFiles)
	case "iface":
		pick(hoIfaces)
	case "nmstate":
		pick(hoNMState)
	case "reason":
		pick(hoReasons)
	case "eximid":
		// classic exim message id: 6-6-2 base-62 characters
		for k := 0; k < 14; k++ {
			if k == 6 || k == 12 {
				b.WriteByte('-')
			}
			b.WriteByte(alnum[r.IntN(len(alnum))])
		}
	case "score":
		fmt.Fprintf(b, "%.1f", r.Float64()*30-3)
	case "ups":
		pick(hoUPS)
	case "module":
		pick(hoModules)
	default:
		return false
	}
	return true
}

type event = struct{ id, prog, msg string }

// writeSet writes n lines of set as "event-id<TAB>syslog line":
// RSYSLOG_TraditionalFileFormat lines, template popularity skewed (a few
// frequent events, a long tail), every template at least once.
func writeSet(w io.Writer, set []event, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, seed+1))
	for i := 0; i < n; i++ {
		k := i
		if i >= len(set) {
			k = int(float64(len(set)) * r.Float64() * r.Float64())
		}
		t := set[k]
		tag := fmt.Sprintf("%s[%d]", t.prog, 100+r.IntN(60000))
		if t.prog == "kernel" {
			tag = "kernel"
		}
		line := fmt.Sprintf("Nov 22 %02d:%02d:%02d host%d %s: %s", i/3600%24, i/60%60, i%60, r.IntN(5), tag, fill(r, t.msg))
		if _, err := fmt.Fprintf(w, "%s\t%s\n", t.id, line); err != nil {
			return err
		}
	}
	return nil
}

// WriteHeldOut writes n lines of the held-out set, in the format of
// WriteLabelled. Its daemons and messages are not in the labelled set, and
// nothing in aireport was tuned on it.
func WriteHeldOut(w io.Writer, n int, seed uint64) error {
	return writeSet(w, heldOut, n, seed)
}

// HeldOutTemplates is the number of distinct event ids of the held-out set.
func HeldOutTemplates() int { return len(heldOut) }
