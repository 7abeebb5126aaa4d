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
)

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
	a, err := openApp(ctx, st)
	if err != nil {
		return err
	}
	defer a.Close()
	agent, err := a.agents.CreateAgent(tend.SystemContext(ctx), in)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "Created %s %s <%s> (id %d).\n", agent.Role, agent.Name, agent.Email, agent.ID)
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
	a, err := openApp(ctx, st)
	if err != nil {
		return err
	}
	defer a.Close()
	agent, err := a.findAgentByEmail(ctx, email)
	if err != nil {
		return err
	}
	_, secret, err := a.tokens.CreateToken(tend.SystemContext(ctx), &tend.TokenCreate{AgentID: agent.ID, Name: name})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}
