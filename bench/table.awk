# Joins the rows bench/run expects with each implementation's results.
# Input: first the expected rows "scenario<TAB>metric<TAB>target[<TAB>default]",
# then one file per implementation of "scenario<TAB>metric<TAB>value" lines,
# where metric "*" gives the reason a scenario could not run.
# Variables: n (implementations), names (their names, blank-separated).
# Output: the table as TSV with a header line.

function numeric(v) {
	return v ~ /^-?[0-9]+(\.[0-9]+)?$/
}

# Whether value v meets target t ("<= 50", "< 5"): yes, no, or n/a.
function held(v, t,    op, limit) {
	if (t == "")
		return ""
	if (!numeric(v))
		return "n/a"
	op = t; sub(/ .*/, "", op)
	limit = t; sub(/^[<>=]+ */, "", limit)
	if (op == "<=") return v + 0 <= limit + 0 ? "yes" : "no"
	if (op == "<") return v + 0 < limit + 0 ? "yes" : "no"
	if (op == ">=") return v + 0 >= limit + 0 ? "yes" : "no"
	return v + 0 > limit + 0 ? "yes" : "no"
}

function add_row(s, m, t, d) {
	rows++
	scen[rows] = s; met[rows] = m; tgt[rows] = t; dflt[rows] = d
	known[s, m] = 1
}

# One hole's pass against the whole create, derived from two rows.
function derive(i, s,    a, b) {
	a = val[i, s, "one hole: in step ms"]
	b = val[i, s, "dmstats create --filemap ms"]
	if (numeric(a) && numeric(b) && b > 0)
		val[i, s, "one hole / create"] = sprintf("%.3f", a / b)
}

function value(i, r) {
	if ((i, scen[r], met[r]) in val) return val[i, scen[r], met[r]]
	if ((i, scen[r], "*") in val) return val[i, scen[r], "*"]
	return dflt[r] != "" ? dflt[r] : "not run: no result"
}

BEGIN {
	# By position: a file with no line at all still counts.
	for (k = 1; k < ARGC; k++) index_of[ARGV[k]] = k
}

{ file = index_of[FILENAME] }

file == 1 { add_row($1, $2, $3, $4); next }

{
	if (!((file - 1, $1, $2) in val)) val[file - 1, $1, $2] = $3
	if ($2 != "*") {
		measured[$1] = 1
		if (!(($1, $2) in known)) add_row($1, $2, "", "")
	}
}

END {
	split(names, name, " ")
	header = "scenario" OFS "metric" OFS "target"
	for (i = 1; i <= n; i++) header = header OFS name[i]
	if (n == 2) header = header OFS "ratio " name[2] "/" name[1]
	print header OFS "held"
	for (r = 1; r <= rows; r++)
		if (met[r] == "one hole / create")
			for (i = 1; i <= n; i++) derive(i, scen[r])
	for (r = 1; r <= rows; r++) {
		# A scenario nobody could run takes one row, not one per metric.
		if (!(scen[r] in measured) && met[r] != "*") {
			if (scen[r] in told) continue
			told[scen[r]] = 1
			line = scen[r] OFS "-" OFS ""
		} else {
			line = scen[r] OFS (met[r] == "*" ? "-" : met[r]) OFS tgt[r]
		}
		verdict = ""
		for (i = 1; i <= n; i++) {
			v[i] = value(i, r)
			line = line OFS v[i]
			h = held(v[i], tgt[r])
			verdict = i == 1 ? h : verdict "/" h
		}
		if (n == 2)
			line = line OFS (numeric(v[1]) && numeric(v[2]) && v[1] != 0 ? \
			    sprintf("%.2f", v[2] / v[1]) : "")
		if (tgt[r] == "" || (!(scen[r] in measured) && met[r] != "*"))
			verdict = ""
		print line OFS verdict
	}
}
