package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
)

// openDesk opens the database of a help desk that tend serve has set up,
// and nothing else: a command pointed at a wrong --data or --db refuses,
// where it would otherwise make an empty desk there and work on it. It
// touches no other file of the data folder.
func openDesk(ctx context.Context, st storage) (*sqldb.DB, error) {
	db, err := sqldb.OpenExisting(ctx, st.dsn())
	if errors.Is(err, sqldb.ErrNoDatabase) {
		return nil, fmt.Errorf("no Tend database in %s: give the --data folder (or --db) that tend serve uses, "+
			"or start tend serve there first", st.describe())
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", st.describe(), err)
	}
	return db, nil
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var st storage
	var email, name, role string
	var passwordStdin bool
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	st.flags(fs)
	fs.StringVar(&email, "email", "", "the staff member's email address (required)")
	fs.StringVar(&name, "name", "", "the staff member's name (required)")
	fs.StringVar(&role, "role", "agent", "agent, lead, manager or admin")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := &tend.AgentCreate{Email: email, Name: name, Role: tend.Role(role)}
	if passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		in.Password = strings.TrimRight(line, "\r\n")
		if in.Password == "" {
			return fmt.Errorf("--password-stdin: standard input held no password")
		}
	}
	db, err := openDesk(ctx, st)
	if err != nil {
		return err
	}
	defer db.Close()
	agent, err := sqldb.NewAgentService(db).CreateAgent(tend.SystemContext(ctx), in)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "Created %s %s <%s> (id %d) in %s.\n", agent.Role, agent.Name, agent.Email, agent.ID, st.describe())
	if !passwordStdin {
		fmt.Fprintln(stdout, "They have no password yet; set one with --password-stdin or through the API.")
	}
	return nil
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var st storage
	var email, name string
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	st.flags(fs)
	fs.StringVar(&email, "email", "", "the staff member the token acts for (required)")
	fs.StringVar(&name, "name", "", "a label to recognise the token by, such as \"billing sync\" (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if email == "" {
		return fmt.Errorf("--email is required")
	}
	db, err := openDesk(ctx, st)
	if err != nil {
		return err
	}
	defer db.Close()
	agent, err := findAgentByEmail(ctx, sqldb.NewAgentService(db), email, st.describe())
	if err != nil {
		return err
	}
	_, secret, err := sqldb.NewTokenService(db).CreateToken(tend.SystemContext(ctx), &tend.TokenCreate{AgentID: agent.ID, Name: name})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}
