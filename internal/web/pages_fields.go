package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// Settings → Fields: the custom ticket fields admins define, which the
// ticket page shows and lists filter by (field.KEY=value).

func (s *Server) fieldRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /settings/fields", s.fieldList)
	mux.Handle("POST /settings/fields", forms(s.fieldCreate))
	mux.HandleFunc("GET /settings/fields/{id}", s.fieldEdit)
	mux.Handle("POST /settings/fields/{id}", forms(s.fieldUpdate))
	mux.Handle("POST /settings/fields/{id}/delete", forms(s.fieldDelete))
	mux.HandleFunc("GET /settings/fields/{id}/delete", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/settings/fields/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	})
}

type fieldsPage struct {
	basePage
	Fields   []*tend.Field
	Types    []tend.FieldType
	Form     fieldFormValues
	Notice   string
	Error    string
	Problems map[string]string
}

type fieldPage struct {
	basePage
	Field    *tend.Field
	Form     fieldFormValues
	Error    string
	Problems map[string]string
}

// ShowChoices says whether the form asks for choices: a new field may be
// of any type, a field made already only if it is a choice field.
func (p *fieldsPage) ShowChoices() bool { return true }
func (p *fieldPage) ShowChoices() bool  { return p.Field.Type == tend.FieldChoice }

// fieldFormValues are a field form's values as typed, shown again when
// it is refused.
type fieldFormValues struct {
	Key, Label, Type, Choices string
	Required                  bool
	Position                  int
}

func fieldFormOf(f *tend.Field) fieldFormValues {
	return fieldFormValues{Key: f.Key, Label: f.Label, Type: string(f.Type), Choices: strings.Join(f.Choices, "\n"),
		Required: f.Required, Position: f.Position}
}

// readFieldForm reads key, label, type, choices (one a line), required
// and position; a position that is no whole number is refused.
func readFieldForm(r *http.Request) (fieldFormValues, *tend.FieldInput, error) {
	v := fieldFormValues{Key: r.PostFormValue("key"), Label: r.PostFormValue("label"), Type: r.PostFormValue("type"),
		Choices: r.PostFormValue("choices"), Required: r.PostFormValue("required") != ""}
	var err error
	if pos := strings.TrimSpace(r.PostFormValue("position")); pos != "" {
		n, perr := strconv.ParseInt(pos, 10, 32)
		if perr != nil {
			err = tend.FieldError(tend.EINVALID, "position", "must be a whole number, such as 1 or 10")
		}
		v.Position = int(n)
	}
	in := &tend.FieldInput{Key: v.Key, Label: v.Label, Type: tend.FieldType(v.Type), Required: v.Required, Position: v.Position}
	if v.Choices != "" {
		in.Choices = strings.Split(v.Choices, "\n")
	}
	return v, in, err
}

var fieldNotices = map[string]string{
	"created": "Field added: it shows on every ticket's page.",
	"updated": "Field saved.",
	"deleted": "Field deleted, with its values; tickets' histories keep what they were.",
}

// fieldList serves GET /settings/fields.
func (s *Server) fieldList(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.adminPage(w, r, "Fields")
	if !ok {
		return
	}
	page := &fieldsPage{basePage: s.base(w, r, "Fields", agent), Notice: fieldNotices[r.URL.Query().Get("done")],
		Form: fieldFormValues{Type: string(tend.FieldText)}}
	s.renderFields(w, r, page, http.StatusOK)
}

func (s *Server) renderFields(w http.ResponseWriter, r *http.Request, page *fieldsPage, status int) {
	list, err := s.Fields.FindFields(agentContext(r.Context(), page.Agent))
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	page.Fields, page.Types = list, tend.FieldTypes
	s.render(w, status, "fields", page)
}

// fieldCreate serves POST /settings/fields.
func (s *Server) fieldCreate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Fields")
	if !ok {
		return
	}
	form, in, err := readFieldForm(r)
	if err == nil {
		_, err = s.Fields.CreateField(ctx, in)
	}
	if err != nil {
		page := &fieldsPage{basePage: s.base(w, r, "Fields", agent), Form: form,
			Error: formProblem(err, "key", "label", "type", "choices", "position"), Problems: tend.ErrorFields(err)}
		s.renderFields(w, r, page, httpStatus(err))
		return
	}
	http.Redirect(w, r, "/settings/fields?done=created", http.StatusSeeOther)
}

// fieldByPath reads the field the path names, answering when there is
// none.
func (s *Server) fieldByPath(w http.ResponseWriter, r *http.Request, agent *tend.Agent) (*tend.Field, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.pageError(w, r, agent, tend.Errorf(tend.ENOTFOUND, "%q is not a field's id.", r.PathValue("id")))
		return nil, false
	}
	f, err := s.Fields.FindFieldByID(agentContext(r.Context(), agent), id)
	if err != nil {
		s.pageError(w, r, agent, err)
		return nil, false
	}
	return f, true
}

// fieldEdit serves GET /settings/fields/{id}.
func (s *Server) fieldEdit(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.adminPage(w, r, "Field")
	if !ok {
		return
	}
	if f, ok := s.fieldByPath(w, r, agent); ok {
		s.render(w, http.StatusOK, "field", &fieldPage{basePage: s.base(w, r, f.Label, agent), Field: f, Form: fieldFormOf(f)})
	}
}

// fieldUpdate serves POST /settings/fields/{id}: label, choices, required
// and position; the key and type stay.
func (s *Server) fieldUpdate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Field")
	if !ok {
		return
	}
	f, ok := s.fieldByPath(w, r, agent)
	if !ok {
		return
	}
	form, in, err := readFieldForm(r)
	form.Key, form.Type = f.Key, string(f.Type)
	if err == nil {
		patch := &tend.FieldPatch{Label: &in.Label, Choices: &in.Choices, Required: &in.Required, Position: &in.Position}
		if f.Type != tend.FieldChoice {
			patch.Choices = nil // the form shows no choices for other fields
		}
		_, err = s.Fields.UpdateField(ctx, f.ID, patch)
	}
	if err != nil {
		s.render(w, httpStatus(err), "field", &fieldPage{basePage: s.base(w, r, f.Label, agent), Field: f, Form: form,
			Error: formProblem(err, "label", "choices", "position"), Problems: tend.ErrorFields(err)})
		return
	}
	http.Redirect(w, r, "/settings/fields?done=updated", http.StatusSeeOther)
}

// fieldDelete serves POST /settings/fields/{id}/delete, which needs the
// confirm box ticked.
func (s *Server) fieldDelete(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Field")
	if !ok {
		return
	}
	f, ok := s.fieldByPath(w, r, agent)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") == "" {
		s.render(w, http.StatusBadRequest, "field", &fieldPage{basePage: s.base(w, r, f.Label, agent), Field: f, Form: fieldFormOf(f),
			Error: "Nothing was deleted: tick the box to confirm that every ticket's " + f.Label + " goes with it."})
		return
	}
	if err := s.Fields.DeleteField(ctx, f.ID); err != nil {
		s.formError(w, r, agent, err, "/settings/fields")
		return
	}
	http.Redirect(w, r, "/settings/fields?done=deleted", http.StatusSeeOther)
}
