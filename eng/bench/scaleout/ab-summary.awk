# per round: rows "rd name p50 p99 n cpu cs cmd"; quiet round = local p50 < 1 ms; prints per-variant medians over quiet rounds of p50 diff vs local, cpu diff, cs, cmd
function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } sub(/ms$/, "", v); return v + 0 }
$1 ~ /^[0-9]+$/ { p[$1, $2] = ms($3); c[$1, $2] = $6; s[$1, $2] = $7; k[$1, $2] = $8; names[$2] = 1; rounds[$1] = 1 }
function med(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }; return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
END {
  for (n in names) { m = 0; delete a; delete b; delete d; delete e; delete f
    for (r in rounds) if (p[r, "local"] < 1) { m++; a[m] = p[r, n]; b[m] = p[r, n] - p[r, "local"]; d[m] = c[r, n]; e[m] = c[r, n] - c[r, "local"]; f[m] = s[r, n] }
    if (m == 0) { printf "%-11s no quiet round (local p50 >= 1 ms in every round)\n", n; continue }
    printf "%-11s quiet rounds %d: p50 %.3f ms, vs local %+.3f ms; cpu %.0f us/req, vs local %+.0f; cs %.1f/req\n", n, m, med(a, m), med(b, m), med(d, m), med(e, m), med(f, m) }
}
