package password_test

import (
	"strings"
	"testing"

	"github.com/tendhq/tend/internal/password"
)

func TestHashAndCheck(t *testing.T) {
	cheap := password.Params{Memory: 64, Time: 1, Threads: 1}
	h, err := password.Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not in PHC form", h)
	}
	if ok, err := password.Check("correct horse battery", h); err != nil || !ok {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	if ok, _ := password.Check("correct horse batterY", h); ok {
		t.Fatal("a wrong password matched")
	}
	h2, _ := password.Hash("correct horse battery", cheap)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=64,t=1,p=1$!!$!!", "$bcrypt$x$y$z$w"} {
		if _, err := password.Check("x", bad); err == nil {
			t.Errorf("Check(%q) gave no error", bad)
		}
	}
}
