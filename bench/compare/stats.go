package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// quantile returns the q-quantile of sorted xs, interpolated.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

func sorted(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (c *command) walls() []float64 {
	var out []float64
	for _, r := range c.runs {
		out = append(out, ms(r.wall))
	}
	return out
}

func (c *command) cpus() []float64 {
	var out []float64
	for _, r := range c.runs {
		out = append(out, ms(r.cpu))
	}
	return out
}

// wallCell is "median (p25–p75)" of the wall times in ms.
func (c *command) wallCell() string {
	s := sorted(c.walls())
	return fmt.Sprintf("%s (%s–%s)", num(quantile(s, .5)), num(quantile(s, .25)), num(quantile(s, .75)))
}

// ratio is the median of the per-round ratios a/b of wall times, and the
// ratio of the median CPU times.
func ratio(a, b *command) (wall, cpu float64) {
	var rs []float64
	for i := range min(len(a.runs), len(b.runs)) {
		rs = append(rs, float64(a.runs[i].wall)/float64(b.runs[i].wall))
	}
	wall = quantile(sorted(rs), .5)
	cpu = quantile(sorted(a.cpus()), .5) / quantile(sorted(b.cpus()), .5)
	return wall, cpu
}

func num(x float64) string {
	if x >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

// printTables writes the times and ratios, then CPU, memory and
// instructions, as Markdown tables.
func printTables(w io.Writer, cases []*benchCase, instr bool) {
	fmt.Fprintln(w, "| case | bcfork ms | GNU patch ms | git apply ms | git merge-file ms | bcfork ÷ GNU patch | ÷ git apply | ÷ git merge-file |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, c := range cases {
		row := []string{c.name}
		for _, t := range tools {
			row = append(row, cell(c.cmd(t), (*command).wallCell))
		}
		for _, t := range tools[1:] {
			row = append(row, ratioCell(c.cmd("bcfork"), c.cmd(t)))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(w, "\nratios: median of the per-round ratios of wall time; in brackets the ratio of median CPU times (user + system)")
	fmt.Fprintln(w)
	printResources(w, cases, instr)
	for _, c := range cases {
		if c.note != "" {
			fmt.Fprintf(w, "- %s: %s\n", c.name, c.note)
		}
	}
}

func printResources(w io.Writer, cases []*benchCase, instr bool) {
	head := "| case | CPU ms: " + strings.Join(tools, " / ") + " | peak RSS KB: " + strings.Join(tools, " / ")
	sep := "|---|---|---"
	if instr {
		head += " | instructions (callgrind): " + strings.Join(tools, " / ")
		sep += "|---"
	}
	fmt.Fprintln(w, head+" |")
	fmt.Fprintln(w, sep+"|")
	for _, c := range cases {
		var cpu, rss, ir []string
		for _, t := range tools {
			cmd := c.cmd(t)
			if cmd == nil {
				cpu, rss, ir = append(cpu, "–"), append(rss, "–"), append(ir, "–")
				continue
			}
			cpu = append(cpu, num(quantile(sorted(cmd.cpus()), .5)))
			rss = append(rss, fmt.Sprint(cmd.rss))
			if cmd.ir > 0 {
				ir = append(ir, fmt.Sprintf("%.1fM", float64(cmd.ir)/1e6))
			} else {
				ir = append(ir, "–")
			}
		}
		line := fmt.Sprintf("| %s | %s | %s", c.name, strings.Join(cpu, " / "), strings.Join(rss, " / "))
		if instr {
			line += " | " + strings.Join(ir, " / ")
		}
		fmt.Fprintln(w, line+" |")
	}
	fmt.Fprintln(w)
}

func cell(c *command, f func(*command) string) string {
	if c == nil {
		return "–"
	}
	return f(c)
}

func ratioCell(a, b *command) string {
	if a == nil || b == nil {
		return "–"
	}
	wall, cpu := ratio(a, b)
	s := fmt.Sprintf("**%.2f** (%.2f)", wall, cpu)
	if a.ir > 0 && b.ir > 0 {
		s += fmt.Sprintf(" ir %.2f", float64(a.ir)/float64(b.ir))
	}
	return s
}
