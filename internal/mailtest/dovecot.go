package mailtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Dovecot is a real IMAP server (Debian's dovecot-imapd) on loopback,
// with accounts that sign in with a password or with an OAuth token
// (XOAUTH2), for tests of fetching mail over IMAP.
type Dovecot struct {
	Addr string // 127.0.0.1:port
	Host string
	Port int
}

// DovecotAccount is a mail account on the test server.
type DovecotAccount struct {
	User, Password string
	// Token, when set, is an OAuth access token that signs User in.
	Token string
}

// StartDovecot runs dovecot until the test ends. Without the dovecot
// binary the test is skipped with a note on how to install it, unless CI
// is set, where the test fails.
func StartDovecot(tb testing.TB, accounts ...DovecotAccount) *Dovecot {
	tb.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/dovecot"); err == nil {
			bin = "/usr/sbin/dovecot"
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("IMAP tests need dovecot; CI must install dovecot-imapd")
		}
		tb.Skip("IMAP tests skipped: install dovecot (apt-get install dovecot-imapd) to run them")
	}
	dir, err := os.MkdirTemp("", "tend-dovecot-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	// Dovecot's mail processes run as an unprivileged user, who must reach
	// the mail folders.
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o777); err != nil {
		tb.Fatal(err)
	}
	os.Chmod(home, 0o777)

	var passwd bytes.Buffer
	tokens := map[string]string{}
	for _, a := range accounts {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s\n", a.User, a.Password)
		if a.Token != "" {
			tokens[a.Token] = a.User
		}
	}
	introspect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		token := r.Form.Get("token")
		if token == "" {
			token = r.Header.Get("Authorization")
			if len(token) > 7 {
				token = token[7:]
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if user, ok := tokens[token]; ok {
			fmt.Fprintf(w, `{"active":"true","username":%q}`, user)
			return
		}
		fmt.Fprint(w, `{"active":"false"}`)
	}))
	tb.Cleanup(introspect.Close)

	port := freePort(tb)
	files := map[string]string{
		"passwd": passwd.String(),
		"oauth2.conf": fmt.Sprintf("introspection_mode = post\nintrospection_url = %s/introspect\n"+
			"username_attribute = username\nactive_attribute = active\nactive_value = true\n", introspect.URL),
		"dovecot.conf": dovecotConf(dir, port),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			tb.Fatalf("dovecot stopped: %s\n%s", out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("dovecot did not listen on %s within 10s: %s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Dovecot{Addr: addr, Host: "127.0.0.1", Port: port}
}

func dovecotConf(dir string, port int) string {
	internal := ""
	if os.Geteuid() != 0 {
		// Unprivileged, dovecot runs everything as the user who started it.
		u, _ := user.Current()
		internal = fmt.Sprintf("default_internal_user = %[1]s\ndefault_login_user = %[1]s\n", u.Username)
	}
	mailUser := "uid=nobody gid=nogroup"
	if os.Geteuid() != 0 {
		mailUser = fmt.Sprintf("uid=%d gid=%d", os.Getuid(), os.Getgid())
	}
	return fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
first_valid_uid = 1
mail_location = maildir:~/Maildir
%[3]s
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = %[1]s/oauth2.conf
}
userdb {
  driver = static
  args = %[4]s home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
`, dir, port, internal, mailUser)
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
