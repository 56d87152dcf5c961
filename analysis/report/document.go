// Package report turns a loaded run into the document a researcher reads
// after it: report.md (figures referenced as files) and a self-contained
// report.html (figures embedded as base64 PNG, so it can be mailed or
// archived alone). Both say which run they describe — scenario, seed, trace
// digest, the resolved scenario file and the simulator's fidelity notes —
// because a figure without its run is not evidence.
//
// Output is a pure function of the run files: no timestamps, no host names,
// map keys sorted, bootstrap seeded. Two reports of the same run are
// byte-identical, so a changed report means changed data.
package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"

	"github.com/coinai/coinai/analysis/figures"
)

// Document is a report independent of its rendering.
type Document struct {
	Title    string
	Sections []Section
}

// Section is a heading followed by any of paragraphs, a bullet list, a
// table, a code block and figures, rendered in that order.
type Section struct {
	Heading  string
	Paras    []string
	List     []string
	Table    *Table
	Code     string
	CodeLang string
	Figures  []*figures.Figure
}

// Table is a simple header-and-rows table of preformatted cells.
type Table struct {
	Header []string
	Rows   [][]string
}

// Markdown renders d; figPath gives the path (relative to the Markdown file)
// of a figure's image.
func (d *Document) Markdown(figPath func(*figures.Figure) string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", d.Title)
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "\n## %s\n", s.Heading)
		for _, p := range s.Paras {
			fmt.Fprintf(&b, "\n%s\n", p)
		}
		if len(s.List) > 0 {
			b.WriteString("\n")
			for _, item := range s.List {
				fmt.Fprintf(&b, "- %s\n", item)
			}
		}
		if t := s.Table; t != nil {
			b.WriteString("\n|")
			for _, h := range t.Header {
				fmt.Fprintf(&b, " %s |", mdCell(h))
			}
			b.WriteString("\n|")
			for range t.Header {
				b.WriteString("---|")
			}
			b.WriteString("\n")
			for _, row := range t.Rows {
				b.WriteString("|")
				for _, c := range row {
					fmt.Fprintf(&b, " %s |", mdCell(c))
				}
				b.WriteString("\n")
			}
		}
		if s.Code != "" {
			fence := "```"
			for strings.Contains(s.Code, fence) {
				fence += "`"
			}
			fmt.Fprintf(&b, "\n%s%s\n%s", fence, s.CodeLang, s.Code)
			if !strings.HasSuffix(s.Code, "\n") {
				b.WriteString("\n")
			}
			b.WriteString(fence + "\n")
		}
		for _, f := range s.Figures {
			fmt.Fprintf(&b, "\n![%s](%s)\n\n*%s*\n", f.Title, figPath(f), f.Caption)
		}
	}
	return b.Bytes()
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:.8rem;overflow-x:auto;font-size:.85rem}
figure{margin:1.5rem 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.9rem;color:#444}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Sections}}<h2>{{.Heading}}</h2>
{{range .Paras}}<p>{{.}}</p>
{{end}}{{if .List}}<ul>
{{range .List}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{with .Table}}<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{if .Code}}<pre><code>{{.Code}}</code></pre>
{{end}}{{range .Figures}}<figure id="{{.Name}}"><img src="{{.Src}}" alt="{{.Title}}"><figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption></figure>
{{end}}{{end}}</body>
</html>
`))

// HTML renders d as one self-contained page; png returns a figure's PNG
// bytes (typically already written next to the report), embedded as a
// base64 data URL.
func (d *Document) HTML(png func(*figures.Figure) ([]byte, error)) ([]byte, error) {
	type fig struct {
		Name, Title, Caption string
		Src                  template.URL
	}
	type sec struct {
		Section
		Figures []fig
	}
	data := struct {
		Title    string
		Sections []sec
	}{Title: d.Title}
	for _, s := range d.Sections {
		ss := sec{Section: s}
		for _, f := range s.Figures {
			img, err := png(f)
			if err != nil {
				return nil, fmt.Errorf("embedding figure %s: %w", f.Name, err)
			}
			ss.Figures = append(ss.Figures, fig{f.Name, f.Title, f.Caption,
				template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img))})
		}
		data.Sections = append(data.Sections, ss)
	}
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("rendering HTML: %w", err)
	}
	return b.Bytes(), nil
}
