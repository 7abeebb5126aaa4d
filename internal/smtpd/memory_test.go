package smtpd_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// memoryServerEnv makes TestMemoryServer run: the benchmark starts this
// test binary again with it, so that the resident memory it reads is the
// listener's alone and not the senders' too.
const memoryServerEnv = "TEND_SMTPD_MEMORY_SERVER"

// TestMemoryServer is the server half of BenchmarkSMTPMemory: the
// listener with the real pipeline over a SQLite file, as tend serve runs
// it, until its standard input closes.
func TestMemoryServer(t *testing.T) {
	if os.Getenv(memoryServerEnv) == "" {
		t.Skip("the server half of BenchmarkSMTPMemory; runs only when the benchmark starts it")
	}
	l := listen(t, sqldbtest.Open(t, sqldb.SQLite), 25<<20, nil)
	fmt.Printf("listening on %s\n", l.addr)
	io.Copy(io.Discard, os.Stdin)
}

// bigMail returns the body of a mail of size bytes: a line of text and a
// file, base64 encoded as mailers send it, after which a sender puts its
// own header.
func bigMail(size int) []byte {
	var buf bytes.Buffer
	buf.WriteString("From: Mia <mia@customer.example>\r\nTo: support@acme.example\r\nSubject: The scans\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scans you asked for are attached.\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"scans.pdf\"\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"scans.pdf\"\r\n\r\n")
	end := "--b1--\r\n"
	line := make([]byte, 57) // 76 characters once encoded
	for buf.Len()+78+len(end) <= size {
		rand.Read(line)
		buf.WriteString(base64.StdEncoding.EncodeToString(line))
		buf.WriteString("\r\n")
	}
	buf.WriteString(end)
	return buf.Bytes()
}

// procStatus returns a field of /proc/pid/status in MiB, such as VmHWM,
// the peak resident memory.
func procStatus(pid int, field string) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// BenchmarkSMTPMemory sends 50 mails of 20 MB at once, from ten loopback
// addresses (127.0.0.1 to 127.0.0.10, five connections each), to a
// listener in its own process, each mail committed before its 250, and
// reports that process's peak resident memory. Linux only.
func BenchmarkSMTPMemory(b *testing.B) {
	const mails, size, sources = 50, 20 << 20, 10
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read resident memory")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryServer$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), memoryServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	first, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(first), "listening on ")
	if err != nil || !ok {
		b.Fatalf("the server did not start: %q, %v", first, err)
	}
	go io.Copy(io.Discard, stdout)
	idle, err := procStatus(cmd.Process.Pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	body := bigMail(size)
	b.SetBytes(int64(mails * size))
	b.ResetTimer()
	for n := range b.N {
		var wg sync.WaitGroup
		for i := range mails {
			wg.Add(1)
			go func() {
				defer wg.Done()
				from := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%sources))}
				header := fmt.Sprintf("Message-ID: <memory-%d-%d@customer.example>\r\n", n, i)
				if err := sendFrom(from, addr, header, body); err != nil {
					b.Errorf("mail %d from %s: %v", i, from.IP, err)
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	peak, err := procStatus(cmd.Process.Pid, "VmHWM")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(idle, "idle-RSS-MiB")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/50mails")
}

// sendFrom delivers one mail over a connection from the local address
// from, writing header and then body.
func sendFrom(from *net.TCPAddr, addr, header string, body []byte) error {
	conn, err := (&net.Dialer{LocalAddr: from, Timeout: 10 * time.Second}).Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Mail("mia@customer.example", nil); err != nil {
		return err
	}
	if err := c.Rcpt("support@acme.example", nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
