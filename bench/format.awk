# Prints bench/run's TSV table with aligned columns.
{
	for (i = 1; i <= NF; i++) {
		cell[NR, i] = $i
		if (length($i) > width[i]) width[i] = length($i)
	}
	if (NF > cols) cols = NF
}

function print_row(r,    i, out) {
	out = ""
	for (i = 1; i <= cols; i++)
		out = out (i < cols ? sprintf("%-" width[i] "s  ", cell[r, i]) : cell[r, i])
	print out
}

END {
	for (r = 1; r <= NR; r++) {
		print_row(r)
		if (r == 1) {
			rule = ""
			for (i = 1; i <= cols; i++) rule = rule sprintf("%" width[i] "s  ", "")
			gsub(/ /, "-", rule)
			print rule
		}
	}
}
