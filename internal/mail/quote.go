package mail

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Quoted history.
//
// A reply is split into the new text and the history it quotes so that
// agents read the new text first and can unfold the rest: nothing is
// dropped, SplitText and SplitHTML only say where the history is.
//
// How the shapes of a reply are treated:
//
//   - Top-posted (new text, then history): the reply is the text above the
//     history, signature included ("-- ", "Sent from my iPhone").
//   - Bottom-posted (a quote, then new text, nothing quoted after it, as
//     Thunderbird can write): the reply is the new text, the history is
//     the quote above it.
//   - Interleaved (new text between quotes, answering point by point): the
//     reply runs from the top to the last line of new text, inline quotes
//     included, because answers are meaningless without the questions they
//     answer; only the history after the last new text is split off.
//   - Forwarded messages ("---------- Forwarded message ---------", "Begin
//     forwarded message:", an Outlook header whose subject starts "FW:")
//     are content: a customer who forwards a mail to support is asking
//     about that mail. Everything from the forward on stays in the reply;
//     history above the forward is still split off.
//   - A message that is all history has no new text to show: the reply is
//     the whole input and the history is empty, so a reply is never empty.

// line is one line of a message as the splitter sees it: for text a line
// of the input, for HTML a line of its rendered text.
type line struct {
	text  string // whitespace collapsed and trimmed
	quote bool   // inside a <blockquote>; ">" lines are recognised from text
	attr  bool   // marked by the HTML as an attribution (moz-cite-prefix)
	split bool   // marked by the HTML as the start of history (divRplyFwdMsg)

	// Read once by findCut, as every line is looked at several times.
	field headerKind // the header field the line is, if any
	value string     // its value
	wrote bool       // the line is an attribution on its own
}

// cut says where a message divides: before line at is the reply and from
// it on the history, or the other way round when lead is set.
type cut struct {
	at   int
	lead bool // the history comes first (bottom-posting)
}

// SplitText splits a plain-text reply into the new text and the quoted
// history below or around it; nothing is dropped: reply + quoted covers
// the input (modulo whitespace trimming at the cut). When there is no
// history, or nothing but history, reply is text and quoted is "".
func SplitText(text string) (reply, quoted string) {
	var lines []line
	var starts []int // byte offset of each line in text
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		lines = append(lines, line{text: tidy(text[off : off+end])})
		starts = append(starts, off)
		off += end + 1
	}
	c, ok := findCut(lines)
	if !ok {
		return text, ""
	}
	before := strings.TrimRightFunc(text[:starts[c.at]], unicode.IsSpace)
	after := text[starts[c.at]:]
	if c.lead {
		return after, before
	}
	return before, after
}

// tidy collapses the whitespace of s, non-breaking spaces included, so
// that the patterns below need not care about it.
func tidy(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// findCut finds the history in lines; ok is false when there is none, or
// when there is nothing but history.
func findCut(lines []line) (c cut, ok bool) {
	for i := range lines {
		l := &lines[i]
		l.field, l.value = headerField(l.text)
		l.wrote = isAttribution(l.text)
	}
	isNew := newText(lines)
	var news []int // the lines of new text
	for i := range lines {
		if isNew[i] {
			news = append(news, i)
		}
	}
	// A separator right above the history belongs to it.
	for len(news) > 1 {
		last := news[len(news)-1]
		if !isSeparator(lines[last].text) || nextLine(lines, last+1) == len(lines) {
			break
		}
		news = news[:len(news)-1]
	}
	if len(news) == 0 || len(news) == 1 && isSeparator(lines[news[0]].text) {
		return cut{}, false
	}
	first, last := news[0], news[len(news)-1]
	if after := nextLine(lines, last+1); after < len(lines) {
		return cut{at: after}, true
	}
	// Nothing after the new text: bottom-posted if all the history is
	// above it, interleaved (and kept whole) if some is between.
	if prevLine(lines, first-1) >= 0 && len(news) == countNonBlank(lines[first:last+1]) {
		return cut{at: first, lead: true}, true
	}
	return cut{}, false
}

// newText marks the lines of new text: not blank, not quoted, not the
// attribution above a quote, not below the line where unmarked history
// starts; but all of a forwarded message.
func newText(lines []line) []bool {
	isNew := make([]bool, len(lines))
	for i := 0; i < len(lines); i++ {
		if lines[i].text == "" || isQuote(lines[i]) {
			continue
		}
		if isForward(lines, i) {
			for ; i < len(lines); i++ {
				isNew[i] = lines[i].text != ""
			}
			break
		}
		if last, ok := findAttribution(lines, i); ok {
			if next := nextLine(lines, last+1); next < len(lines) && isQuote(lines[next]) {
				i = last
				continue
			}
		}
		if startsHistory(lines, i) {
			break
		}
		isNew[i] = true
	}
	return isNew
}

func countNonBlank(lines []line) int {
	n := 0
	for _, l := range lines {
		if l.text != "" {
			n++
		}
	}
	return n
}

// nextLine returns the first non-blank line from i on, len(lines) if none.
func nextLine(lines []line, i int) int {
	for i < len(lines) && lines[i].text == "" {
		i++
	}
	return i
}

// prevLine returns the last non-blank line at or before i, -1 if none.
func prevLine(lines []line, i int) int {
	for i >= 0 && lines[i].text == "" {
		i--
	}
	return i
}

func isQuote(l line) bool {
	return l.quote || strings.HasPrefix(l.text, ">")
}

// startsHistory reports whether history that is not marked with ">"
// begins at line i: everything from there on is the earlier message.
// Forwards are told apart before (isForward).
func startsHistory(lines []line, i int) bool {
	l := lines[i]
	if l.split || isMarker(l.text) && reOriginal.MatchString(l.text) || headerBlock(lines, i).ok() {
		return true
	}
	if last, ok := findAttribution(lines, i); ok && strongAttribution(joinLines(lines, i, last)) {
		return true
	}
	return false
}

// isForward reports whether a forwarded message starts at line i.
func isForward(lines []line, i int) bool {
	if isMarker(lines[i].text) && reForward.MatchString(lines[i].text) {
		return true
	}
	if isSeparator(lines[i].text) {
		i = nextLine(lines, i+1)
		if i == len(lines) || isQuote(lines[i]) {
			return false
		}
	}
	h := headerBlock(lines, i)
	return h.ok() && reForwardSubject.MatchString(h.subject)
}

var (
	// reOriginal matches the line Outlook, AOL, Yahoo, Zimbra and
	// Thunderbird put above the message they quote without ">".
	reOriginal = regexp.MustCompile(`(?i)^[-=]{2,} ?(?:original message|ursprüngliche nachricht|originalnachricht|message d['’]origine|message original|mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|origineel bericht|ursprungligt meddelande|opprinnelig melding|oprindelig meddelelse|alkuperäinen viesti|původní zpráva|pôvodná správa|wiadomość oryginalna|oryginalna wiadomość|исходное сообщение|оригинальное сообщение|eredeti üzenet|αρχικό μήνυμα|orijinal ileti|özgün ileti|原始邮件|原始郵件|元のメッセージ|원본 메시지) ?[-=]{2,}$`)

	// reForward matches the lines above a forwarded message (Gmail,
	// Thunderbird, Yahoo, Apple Mail and their translations).
	reForward = regexp.MustCompile(`(?i)^(?:[-=]{2,} ?(?:forwarded message|forwarded message follows|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|mensagem encaminhada|mensagem reencaminhada|doorgestuurd bericht|vidarebefordrat meddelande|videresendt melding|videresendt meddelelse|välitetty viesti|edelleenlähetetty viesti|přeposlaná zpráva|preposlaná správa|przekazana wiadomość|wiadomość przekazana|пересланное сообщение|továbbított üzenet|προωθημένο μήνυμα|iletilen ileti|转发的邮件|轉寄的郵件|転送されたメッセージ|전달된 메시지) ?[-=]{2,}|(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message (?:réexpédié|transféré|réacheminé)|inicio del mensaje reenviado|inizio messaggio inoltrato|início da mensagem reencaminhada|begin doorgestuurd bericht|vidarebefordrat brev|videresendt besked|начало переадресованного сообщения) ?[:：])$`)

	// reForwardSubject matches the subject of a forwarded message in an
	// Outlook header block; "RE: FW:" is a reply, so only the first prefix
	// counts.
	reForwardSubject = regexp.MustCompile(`(?i)^(?:fwd?|wg|tr|rv|enc|vs|vb|doorst|pd|fs|ynt|i)\s*[:：]`)
)

// isMarker is true of the lines reOriginal and reForward may match; it
// spares most lines the cost of those patterns.
func isMarker(s string) bool {
	return strings.HasPrefix(s, "--") || strings.HasPrefix(s, "==") || endsWithColon(s)
}

func endsWithColon(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")
}

// isSeparator is true of Outlook's and Hotmail's line of underscores;
// SplitHTML renders <hr> as one.
func isSeparator(s string) bool {
	return len(s) >= 8 && strings.Trim(s, "_") == ""
}

// headerKind is a field of the header block that Outlook and webmails
// write above the message they quote.
type headerKind uint8

const (
	hdrFrom headerKind = 1 << iota
	hdrTo
	hdrCc
	hdrDate
	hdrSent
	hdrSubject
)

// headerLabels names the fields in the languages Outlook is shipped in.
var headerLabels = func() map[string]headerKind {
	m := map[string]headerKind{}
	add := func(k headerKind, labels string) {
		for _, l := range strings.Split(labels, "|") {
			m[l] = k
		}
	}
	add(hdrFrom, "from|von|de|da|van|från|fra|od|от|lähettäjä|feladó|kimden|από|发件人|寄件者|差出人|보낸 사람|expéditeur|remetente|afzender|avsändare|afsender|nadawca|odesílatel")
	add(hdrTo, "to|an|à|a|para|aan|till|til|do|кому|vastaanottaja|címzett|kime|προς|收件人|宛先|받는 사람|destinataire|destinatário|komu|adresat")
	add(hdrCc, "cc|kopie|copie|cco|kopia|копия|抄送|副本")
	add(hdrDate, "date|datum|fecha|data|дата|päivämäärä|dátum|tarih|日期|日付|날짜")
	add(hdrSent, "sent|gesendet|envoyé|enviado|enviada|enviado el|inviato|verzonden|skickat|sendt|wysłano|wysłane|отправлено|odesláno|lähetetty|elküldve|gönderildi|发送时间|傳送時間|送信日時|보낸 날짜")
	add(hdrSubject, "subject|betreff|objet|asunto|oggetto|assunto|onderwerp|ämne|emne|temat|тема|předmět|aihe|tárgy|konu|θέμα|主题|主旨|件名|제목")
	return m
}()

// headerField returns the kind and value of a header field line, "Label:
// value", also written "*Label:* value" (bold turned into text) and with
// the French space before the colon.
func headerField(s string) (headerKind, string) {
	i := strings.IndexAny(s, ":：")
	if i < 0 || i > 40 {
		return 0, ""
	}
	k := headerLabels[strings.ToLower(strings.Trim(s[:i], "* "))]
	if k == 0 {
		return 0, ""
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return k, strings.TrimLeft(s[i+size:], "* ")
}

// header is what headerBlock found.
type header struct {
	kinds   headerKind
	subject string
}

// ok reports whether the fields make a header block: a sender, and either
// a subject or Outlook's "Sent:", among at least three fields. Travel
// details in a customer's text ("From: London", "To: Paris", "Date: May
// 3") are not one.
func (h header) ok() bool {
	return bits.OnesCount8(uint8(h.kinds)) >= 3 && h.kinds&hdrFrom != 0 && h.kinds&(hdrSubject|hdrSent) != 0
}

// maxHeaderLines bounds a header block: it has a dozen fields at most, and
// reading no further keeps a mail of a million "To:" lines linear.
const maxHeaderLines = 16

// headerBlock reads the header fields from line i on, allowing a long
// value to wrap over two lines ("On Behalf Of", long recipient lists).
func headerBlock(lines []line, i int) header {
	var h header
	if lines[i].field == 0 {
		return h
	}
	end := min(i+maxHeaderLines, len(lines))
	for wrapped := 0; i < end && lines[i].text != "" && !isQuote(lines[i]); i++ {
		k, v := lines[i].field, lines[i].value
		if k == 0 {
			if wrapped++; wrapped > 2 {
				break
			}
			continue
		}
		wrapped = 0
		h.kinds |= k
		if k == hdrSubject {
			h.subject = v
		}
	}
	return h
}

var (
	// reDate matches a time or a date, which attributions carry.
	reDate = regexp.MustCompile(`\d{1,2}:\d{2}|(?:^|\D)\d{4}(?:\D|$)|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}`)

	// reYear matches a year or a numeric date: an attribution carries one,
	// a sentence mentioning the time rarely does.
	reYear = regexp.MustCompile(`(?:^|\D)(?:19|20)\d{2}(?:\D|$)|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}`)

	// reOpener matches how attributions begin ("On", "Am", "Le", ...),
	// Yahoo's "--- On" included.
	reOpener = regexp.MustCompile(`(?i)^(?:-+ ?)?(?:\d|(?:on|am|le|el|il|il giorno|em|op|den|dne|w dniu|pe|в|στις) )`)
)

// findAttribution finds an attribution ("On ..., Bob wrote:") starting at
// line i, on that line or wrapped onto the next, and returns its last
// line.
func findAttribution(lines []line, i int) (last int, ok bool) {
	l := lines[i]
	if l.attr || l.wrote {
		return i, true
	}
	// Gmail and Android wrap a long attribution; only one that starts as
	// attributions do may borrow the next line, and only if that line is
	// not an attribution of its own.
	next := i + 1
	if next >= len(lines) || !endsWithColon(lines[next].text) || isQuote(lines[next]) ||
		strings.ContainsAny(l.text[len(l.text)-1:], ".!?:") || !reOpener.MatchString(l.text) ||
		lines[next].wrote && reOpener.MatchString(lines[next].text) {
		return 0, false
	}
	joined := l.text + " " + lines[next].text
	if isAttribution(joined) && reDate.MatchString(joined) {
		return next, true
	}
	return 0, false
}

// isAttribution reports whether s is a line such as "On Mon, Apr 2, 2012
// at 6:26 PM, Bob <bob@example.com> wrote:": it ends with a colon, and
// has the verb with someone before it, or, for clients that write no
// verb (Yandex, mail.ru, Gmail in Japanese), a date and an address.
func isAttribution(s string) bool {
	body, ok := strings.CutSuffix(s, ":")
	if !ok {
		body, ok = strings.CutSuffix(s, "：")
	}
	if !ok || utf8.RuneCountInString(s) > 300 {
		return false
	}
	// "wrote:" that ends a line and has a subject before it; in German
	// and Dutch the name follows the verb, which leaves a short tail.
	if start, end := findVerb(body); start > 0 && len(body)-end <= 120 {
		return true
	}
	return reDate.MatchString(body) && strings.Contains(body, "@")
}

// verbs are the verb of an attribution line ("Bob wrote:") in the
// languages mail clients are localised to, lower-cased. They are looked
// for as words, except those of scripts written without spaces.
var (
	verbs = []string{"wrote", "writes", "schrieb", "geschrieben", "a écrit", "a ecrit",
		"escribió", "escribio", "ha escrito", "ha scritto", "scrisse", "escreveu", "schreef",
		"geschreven", "skrev", "kirjoitti", "napisał", "napisała", "napisal", "pisze", "napsal", "napsala",
		"napísal", "napísala", "написал", "написала", "написав", "написа", "пишет", "yazdı",
		"yazdi", "írta", "irta", "έγραψε", "a scris", "je napisao", "כתב", "كتب"}
	verbsUnspaced = []string{"写道", "寫道", "のメール", "작성"}
)

// findVerb returns where the last attribution verb in s starts and ends,
// start -1 when there is none. Plain string search keeps this fast: it
// runs on every line that ends with a colon.
func findVerb(s string) (start, end int) {
	low := strings.ToLower(s) // offsets are into low; callers only compare lengths
	start = -1
	try := func(i, j int) {
		if i > start {
			start, end = i, j
		}
	}
	for _, v := range verbsUnspaced {
		if i := strings.LastIndex(low, v); i >= 0 {
			try(i, i+len(v))
		}
	}
	for _, v := range verbs {
		for rest := low; ; {
			i := strings.LastIndex(rest, v)
			if i < 0 {
				break
			}
			if j := i + len(v); wordBefore(low[:i]) && wordAfter(low[j:]) {
				try(i, j)
				break
			}
			rest = rest[:i]
		}
	}
	return start, end
}

// wordBefore and wordAfter report whether a verb is a word of its own:
// "Bob wrote", "(Bob) schrieb", "napisał(a):", not "rewrote".
func wordBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s == "" || unicode.IsSpace(r) || strings.ContainsRune(`,"'>)]`, r)
}

func wordAfter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s == "" || unicode.IsSpace(r) || strings.ContainsRune("(:：", r)
}

// strongAttribution reports whether an attribution is certain enough to
// start history that is not marked with ">": it has the verb, starts as
// attributions start, and carries a year or an address. "On Monday at
// 10:00 I wrote:" followed by new text is not one.
func strongAttribution(s string) bool {
	if !isAttribution(s) || !reOpener.MatchString(s) {
		return false
	}
	start, _ := findVerb(strings.TrimRight(s, ":："))
	return start >= 0 && (reYear.MatchString(s) || strings.Contains(s, "@"))
}

func joinLines(lines []line, from, to int) string {
	parts := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		parts = append(parts, lines[i].text)
	}
	return strings.Join(parts, " ")
}

// SplitHTML does the same for an HTML body: reply is the HTML before the
// quoted history, re-rendered with the elements the cut runs through
// closed, and quoted is the history, rendered on its own. When the history
// comes first (bottom-posting), reply is the HTML after it. When nothing
// is split, reply is html unchanged and quoted is "".
//
// The HTML is read as lines of text, as a reader sees it, and split by the
// same rules as SplitText; the markup adds what text loses: <blockquote>
// is quoting like ">", and the containers mail clients wrap history in
// (Gmail's gmail_quote, Thunderbird's moz-cite-prefix, Outlook's
// divRplyFwdMsg and border-top header, Outlook for Mac's
// OLK_SRC_BODY_SECTION, Yahoo's yahoo_quoted, Hotmail's stopSpelling rule)
// mark where it starts.
func SplitHTML(s string) (reply, quoted string) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s, ""
	}
	splitPre(doc)
	var w walker
	w.walk(doc)
	w.flush()
	c, ok := findCut(w.lines)
	if !ok {
		return s, ""
	}
	start := liftStart(w.nodes[c.at])
	var cutOff []*html.Node
	if c.lead {
		cutOff = detachBefore(start)
	} else {
		parent := start.Parent
		cutOff = detachFrom(start)
		trimTail(parent)
	}
	reply, err = renderReply(doc, reDocument.MatchString(s))
	if err != nil {
		return s, ""
	}
	quoted, err = renderNodes(cutOff)
	if err != nil {
		return s, ""
	}
	return reply, strings.TrimSpace(quoted)
}

// mark is how a mail client marks an element that holds history.
type mark uint8

const (
	markSplit         mark = 1 << iota // history starts here
	markSplitIfHeader                  // history starts here if a header field follows
	markAttr                           // the first line is an attribution
)

// walker reads an HTML tree as lines of text.
type walker struct {
	lines []line
	nodes []*html.Node // the node each line starts with

	text     strings.Builder // the line being read
	node     *html.Node      // its first node, nil while it has no content
	cur      line            // its flags
	ifHeader bool            // it starts history if it is a header field

	mark  mark // for the next line
	quote int  // depth of quoting <blockquote>s
	pre   int  // depth of <pre>
}

// hrLine is what a <hr> reads as: Outlook's separator.
const hrLine = "________________________________"

func (w *walker) walk(n *html.Node) {
	switch n.Type {
	case html.DocumentNode:
		w.children(n)
	case html.TextNode:
		w.content(n, n.Data)
		if w.pre > 0 && strings.HasSuffix(n.Data, "\n") {
			w.flush()
		}
	case html.ElementNode:
		w.element(n)
	}
}

func (w *walker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *walker) element(n *html.Node) {
	switch n.DataAtom {
	case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
		return
	case atom.Br:
		w.flush()
		return
	case atom.Hr:
		w.flush()
		if attr(n, "id") == "stopSpelling" {
			w.mark |= markSplit
		}
		w.content(n, hrLine)
		w.flush()
		return
	case atom.Img:
		w.content(n, "\uFFFC") // an image is content, as text is
		return
	}
	m := markOf(n)
	block := blockElements[n.DataAtom] || m != 0
	quote := isQuoteBlock(n)
	if block {
		w.flush()
	}
	saved := w.mark
	if m != 0 {
		w.mark = m
	}
	if quote {
		w.quote++
	}
	if n.DataAtom == atom.Pre {
		w.pre++
	}
	w.children(n)
	if n.DataAtom == atom.Pre {
		w.pre--
	}
	if block {
		w.flush()
	}
	if quote {
		w.quote--
	}
	if m != 0 && w.mark == m { // an element without content marks nothing
		w.mark = saved
	}
}

// content adds s, read from n, to the current line.
func (w *walker) content(n *html.Node, s string) {
	if w.node == nil {
		if strings.TrimFunc(s, unicode.IsSpace) == "" {
			return
		}
		w.node = n
		w.cur = line{quote: w.quote > 0, attr: w.mark&markAttr != 0, split: w.mark&markSplit != 0}
		w.ifHeader = w.mark&markSplitIfHeader != 0
		w.mark = 0
	}
	w.text.WriteString(s)
}

// flush ends the current line.
func (w *walker) flush() {
	if w.node != nil {
		l := w.cur
		l.text = tidy(w.text.String())
		if w.ifHeader {
			k, _ := headerField(l.text)
			l.split = l.split || k&(hdrFrom|hdrDate|hdrSent) != 0
		}
		w.lines = append(w.lines, l)
		w.nodes = append(w.nodes, w.node)
	}
	w.text.Reset()
	w.node = nil
}

// blockElements start and end a line.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Body: true,
	atom.Caption: true, atom.Center: true, atom.Dd: true, atom.Details: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Header: true, atom.Html: true, atom.Li: true, atom.Main: true,
	atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true, atom.Summary: true,
	atom.Table: true, atom.Tbody: true, atom.Td: true, atom.Tfoot: true, atom.Th: true, atom.Thead: true,
	atom.Tr: true, atom.Ul: true,
}

// markOf returns how n is marked as history by the client that wrote it.
func markOf(n *html.Node) mark {
	id, class := attr(n, "id"), " "+attr(n, "class")+" "
	style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
	switch {
	case id == "divRplyFwdMsg" || id == "OLK_SRC_BODY_SECTION" ||
		strings.HasPrefix(id, "yahoo_quoted") || strings.Contains(class, " yahoo_quoted "):
		return markSplit
	case strings.Contains(class, " moz-cite-prefix ") || strings.Contains(class, " gmail_attr ") ||
		n.DataAtom == atom.Div && strings.Contains(class, " gmail_quote "):
		return markAttr
	case n.DataAtom == atom.Div && strings.Contains(style, "border-top") && !strings.Contains(style, "border-top:none"):
		// Outlook and Windows Mail draw a rule above the header of the
		// message they quote; other rules are decoration.
		return markSplitIfHeader
	}
	return 0
}

// isQuoteBlock reports whether n quotes. Gmail and Apple Mail also use
// <blockquote> for "indent", then without a border; that is new text.
func isQuoteBlock(n *html.Node) bool {
	if n.DataAtom != atom.Blockquote {
		return false
	}
	style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
	return attr(n, "type") == "cite" || strings.Contains(" "+attr(n, "class")+" ", " gmail_quote ") ||
		!strings.Contains(style, "border:none")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// splitPre splits the text in <pre> elements at line ends, so that every
// line has a node of its own to cut at.
func splitPre(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Pre {
			splitText(c)
		} else {
			splitPre(c)
		}
	}
}

func splitText(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			splitText(c)
			continue
		}
		for i := strings.IndexByte(c.Data, '\n'); i >= 0 && i < len(c.Data)-1; i = strings.IndexByte(c.Data, '\n') {
			rest := &html.Node{Type: html.TextNode, Data: c.Data[i+1:]}
			c.Data = c.Data[:i+1]
			n.InsertBefore(rest, c.NextSibling)
			c = rest
		}
	}
}

// liftStart returns the outermost element that n starts: cutting there
// rather than at n leaves no empty wrappers behind.
func liftStart(n *html.Node) *html.Node {
	for p := n.Parent; p != nil && p.Type == html.ElementNode &&
		p.DataAtom != atom.Body && p.DataAtom != atom.Html; p = n.Parent {
		for s := n.PrevSibling; s != nil; s = s.PrevSibling {
			if hasContent(s) {
				return n
			}
		}
		n = p
	}
	return n
}

// hasContent reports whether n shows anything: text, an image, a rule.
func hasContent(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return strings.TrimFunc(n.Data, unicode.IsSpace) != ""
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Img, atom.Hr:
			return true
		case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template:
			return false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if hasContent(c) {
				return true
			}
		}
	}
	return false
}

// detachFrom detaches n and everything after it in document order, and
// returns what it detached, in order; the ancestors of n stay.
func detachFrom(n *html.Node) []*html.Node {
	var out []*html.Node
	s := n
	for p := n.Parent; p != nil; p = p.Parent {
		for s != nil {
			next := s.NextSibling
			p.RemoveChild(s)
			out = append(out, s)
			s = next
		}
		s = p.NextSibling
	}
	return out
}

// detachBefore detaches everything before n in document order but the
// <head>, and returns what it detached, in order.
func detachBefore(n *html.Node) []*html.Node {
	var levels [][]*html.Node // outermost last
	for cur := n; cur.Parent != nil; cur = cur.Parent {
		var level []*html.Node
		for s := cur.Parent.FirstChild; s != cur; {
			next := s.NextSibling
			if s.Type != html.DoctypeNode && s.DataAtom != atom.Head {
				cur.Parent.RemoveChild(s)
				level = append(level, s)
			}
			s = next
		}
		levels = append(levels, level)
	}
	var out []*html.Node
	for i := len(levels) - 1; i >= 0; i-- {
		out = append(out, levels[i]...)
	}
	return out
}

// trimTail removes the blank lines, breaks and emptied elements that end n
// once the history below them is gone.
func trimTail(n *html.Node) {
	for c := n.LastChild; c != nil; c = n.LastChild {
		if hasContent(c) {
			if c.Type == html.ElementNode {
				trimTail(c)
			}
			return
		}
		if c.Type == html.ElementNode && !trimmable[c.DataAtom] && c.DataAtom != 0 {
			return
		}
		n.RemoveChild(c)
	}
}

// trimmable elements may go when empty; unknown ones (Word's <o:p>) too.
var trimmable = map[atom.Atom]bool{
	atom.Br: true, atom.Div: true, atom.P: true, atom.Span: true, atom.Font: true,
	atom.B: true, atom.I: true, atom.U: true, atom.Em: true, atom.Strong: true,
}

// reDocument matches HTML written as a whole document, which the reply
// then is too; a fragment stays a fragment.
var reDocument = regexp.MustCompile(`(?i)<(?:html|head|body)[\s>/]`)

func renderReply(doc *html.Node, whole bool) (string, error) {
	if whole {
		return renderNodes([]*html.Node{doc})
	}
	// The parser moves what it finds before the text of a fragment
	// (<style>, <meta>) into <head>; it belongs to the fragment.
	var nodes []*html.Node
	for _, tag := range []atom.Atom{atom.Head, atom.Body} {
		if e := findElement(doc, tag); e != nil {
			for c := e.FirstChild; c != nil; c = c.NextSibling {
				nodes = append(nodes, c)
			}
		}
	}
	return renderNodes(nodes)
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

func renderNodes(nodes []*html.Node) (string, error) {
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
