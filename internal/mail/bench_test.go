package mail

import (
	"testing"
)

// BenchmarkParse parses the mails of every corpus in turn, one per
// iteration, and reports messages parsed per second. Run on one core
// (-cpu 1) it is the figure of issue 3: at least 3,000 a second.
func BenchmarkParse(b *testing.B) {
	var mails [][]byte
	size := 0
	for _, cm := range corpusMails(b) {
		if notMail[cm.name] == "" {
			mails = append(mails, cm.raw)
			size += len(cm.raw)
		}
	}
	b.SetBytes(int64(size / len(mails)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(mails[i%len(mails)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkClassify classifies the parsed mails of every corpus in turn.
func BenchmarkClassify(b *testing.B) {
	var msgs []*Message
	for _, cm := range corpusMails(b) {
		if m, err := Parse(cm.raw); err == nil {
			msgs = append(msgs, m)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Classify(msgs[i%len(msgs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
