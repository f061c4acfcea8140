#!/bin/bash
# t_paper.sh: letters on paper, read back with poppler.  The text comes
# back whole, accents and all (pdftotext); on page 1 the address, and
# nothing else, lies in a DL window envelope's window (pdftoppm: the
# pixels that change with the address, at 100 dpi); a long address and a
# long name fit, a seventh line and a line too wide are refused with the
# reason; a 3-page body takes 3 pages, numbered, the reference repeated,
# the signature on the last; a 300-letter word is wrapped, not cut.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

render=$top_builddir/tests/paper_render
for tool in pdftotext pdftoppm pdfinfo python3; do
	command -v $tool >/dev/null ||
	    skip_all "$tool is not installed (contrib/dev.sh deps installs poppler-utils and python3)"
done
[ -x "$render" ] || skip_all "$render is not built (make check builds it)"
scratch

sender=$'Cyberini\nService qualité\n1 avenue de la Mer\n83140 Six-Fours-les-Plages'
address=$'Jean Dupont\n12 rue des Lilas\n83140 Six-Fours-les-Plages'
# The longest six lines: 38 characters, La Poste's limit, in capitals.
long_address=$'MADAME ANNE-SOPHIE MARTIN-DUPUIS-LEROY\nSERVICE QUALITE ET RELATIONS CLIENTS 4\nRESIDENCE DES PINS BATIMENT C ESCALIER\n12 BOULEVARD DU MARECHAL DE LATTRE DE T\nBP 42 ZONE ARTISANALE DES PLAINES CEDEX\n83140 SIX-FOURS-LES-PLAGES CEDEX 123456'
long_name='Marie-Amélie Dupont-Lefèbvre de Saint-Exupéry'
accents='é è à ç œ « » ’'

# letter OUT RECIPIENT BODY-FILE [more options]: exit status of the tool.
letter() {
	local out=$1 to=$2 body=$3
	shift 3
	"$render" --sender "$sender" --recipient "$to" \
	    --place Six-Fours-les-Plages --date 2026-12-04 \
	    --subject "Décision sur votre réclamation" \
	    --reference REC-2026-0042 --body-file "$body" \
	    --signature $'Marie Martin\nDirectrice' "$@" "$out"
}

# The text of pages FIRST to LAST with every blank removed.
squeezed() { pdftotext -f "$2" -l "$3" "$1" - | tr -d ' \n\f\t'; }

# pixels A.pdf B.pdf: page 1 of two letters that differ by the address
# (B's an invisible no-break space): the pixels that change lie in the
# window band, 100-190 mm from the left and 45-90 mm from the top, and B
# has nothing dark in it.  Prints "ok" or what is wrong.
pixels() {
	pdftoppm -r 100 -gray -f 1 -l 1 "$1" "$d/pa" &&
	pdftoppm -r 100 -gray -f 1 -l 1 "$2" "$d/pb" &&
	python3 - "$d"/pa-1.pgm "$d"/pb-1.pgm <<'PY'
import sys
def pgm(path):
    data = open(path, 'rb').read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b'P5' and parts[3] == b'255'
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][-w * h:]
w, h, a = pgm(sys.argv[1])
_, _, b = pgm(sys.argv[2])
mm = lambda px: px * 25.4 / 100
dark = lambda v: v < 160
changed = [(i % w, i // w) for i in range(w * h)
           if a[i] != b[i] and (dark(a[i]) or dark(b[i]))]
if not changed:
    sys.exit(print("the address changes no pixel"))
x0, x1 = mm(min(x for x, _ in changed)), mm(max(x for x, _ in changed) + 1)
y0, y1 = mm(min(y for _, y in changed)), mm(max(y for _, y in changed) + 1)
box = "address at %.1f-%.1f mm from the left, %.1f-%.1f mm from the top" % (
    x0, x1, y0, y1)
if x0 < 100 or x1 > 190 or y0 < 45 or y1 > 90:
    sys.exit(print(box + ": outside the window"))
other = [i for i in range(w * h) if dark(b[i])
         and 100 <= mm(i % w) <= 190 and 45 <= mm(i // w) <= 90]
if other:
    sys.exit(print(box + "; %d other dark pixels in the window" % len(other)))
print("ok")
PY
}

# A normal letter, the signature separator and what follows left out.
cat > "$d/body.txt" <<EOF
Bonjour $long_name,

Nous avons bien reçu votre réclamation, enregistrée sous la référence
REC-2026-0042. Les caractères $accents passent tels quels.

Cordialement,

Cyberini

--
Ce message est envoyé automatiquement ; vous pouvez y répondre.
EOF
letter "$d/a.pdf" "$address" "$d/body.txt"
ok $? "a letter renders"
text=$(pdftotext "$d/a.pdf" - 2>&1)
missing=
for want in "Cyberini" "Service qualité" "Jean Dupont" "12 rue des Lilas" \
    "83140 Six-Fours-les-Plages" "Six-Fours-les-Plages, le 4 décembre 2026" \
    "Objet : Décision sur votre réclamation" "Réf. : REC-2026-0042" \
    "Bonjour $long_name," "enregistrée sous la référence" \
    "$accents passent tels quels" "Marie Martin" "Directrice"; do
	printf '%s' "$text" | sed 's/\xc2\xa0/ /g' | grep -qF -- "$want" ||
	    missing="$missing [$want]"
done
is "${missing:-none}" none "pdftotext finds the sender, address, date, subject, reference, body and signature, accents intact"
case $text in
*"envoyé automatiquement"*) ok 1 "the mail signature is left out" ;;
*) ok 0 "the mail signature is left out" ;;
esac
is "$(pdfinfo "$d/a.pdf" | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\) pts.*/\1/p')" \
    "595.276 x 841.89" "the page is A4"
letter "$d/i.pdf" $'\xc2\xa0' "$d/body.txt"
is "$(pixels "$d/a.pdf" "$d/i.pdf")" ok "page 1: the address, and only it, lies in the DL window"

# The longest address and a long name.
letter "$d/long.pdf" "$long_address" "$d/body.txt"
ok $? "six lines of 38 capitals render"
is "$(pixels "$d/long.pdf" "$d/i.pdf")" ok "page 1: the six-line address lies in the DL window"
want=$(printf '%s' "$long_address" | tr -d ' \n')
case $(squeezed "$d/long.pdf" 1 1) in
*"$want"*) ok 0 "pdftotext finds the six lines whole" ;;
*) ok 1 "pdftotext finds the six lines whole" ;;
esac
letter "$d/name.pdf" "$long_name"$'\n'"12 rue des Lilas" "$d/body.txt"
ok $? "a long name in the address renders"
is "$(pixels "$d/name.pdf" "$d/i.pdf")" ok "page 1: the long name lies in the DL window"

# Refusals, with the reason.
out=$("$render" --check --recipient "$long_address"$'\nFRANCE')
is "$?:$out" "1:the address has 7 lines; a window envelope shows at most 6" \
    "a seventh line is refused, and why"
out=$("$render" --check --recipient "Jean Dupont"$'\n'"12 rue des Lilas, résidence les Oliviers, bâtiment B, escalier 4")
like "$?:$out" '^1:line 2 \("12 rue des Lilas, résidence.*"\) is [0-9.]+ mm wide in the letter.s font; the envelope.s window takes 85 mm$' \
    "a line too wide for the window is refused, and which and why"
letter "$d/no.pdf" "$long_address"$'\nFRANCE' "$d/body.txt" 2> "$d/err"
is "$?:$(head -1 "$d/err"):$(ls "$d" | grep -c '^no\.pdf')" \
    "1:paper_render: the address has 7 lines; a window envelope shows at most 6:0" \
    "such a letter is not rendered, and no file is left"

# Three pages: every paragraph, in order, the pages numbered, the
# reference on pages 2 and 3, no paragraph's last line alone at the top
# of a page, the signature on the last with the last paragraph.
: > "$d/long.txt"
for i in $(seq 1 40); do
	printf 'Paragraphe %d : une phrase assez longue pour occuper la ligne et un peu de la suivante, sur une lettre de trois pages.\n\n' "$i" >> "$d/long.txt"
done
letter "$d/3.pdf" "$address" "$d/long.txt"
pages=$(pdfinfo "$d/3.pdf" | sed -n 's/^Pages: *//p')
is "$pages:$("$render" --recipient "$address" --reference REC-2026-0042 \
    --signature Marie --body-file "$d/long.txt" --pages)" "3:3" \
    "a long body takes 3 pages, as paper_page_count() says"
got=$(pdftotext "$d/3.pdf" - | sed -n 's/^Paragraphe \([0-9]*\) :.*/\1/p' | tr '\n' ' ')
is "$got" "$(seq 1 40 | tr '\n' ' ')" "every paragraph is there, in order"
p2=$(pdftotext -f 2 -l 2 "$d/3.pdf" - | sed 's/\xc2\xa0/ /g')
p3=$(pdftotext -f 3 -l 3 "$d/3.pdf" - | sed 's/\xc2\xa0/ /g')
like "$p2" 'Réf\. : REC-2026-0042' "page 2 repeats the reference"
like "$p2" 'Page 2/3' "page 2 says Page 2/3"
like "$p3" 'Page 3/3' "page 3 says Page 3/3"
like "$p3" 'Paragraphe 40 :.*' "the last paragraph is on the last page"
like "$p3" 'Marie Martin' "the signature is on the last page, with it"
first=$(for p in 2 3; do pdftotext -f $p -l $p "$d/3.pdf" - |
    grep -v -e '^Réf' -e '^$' | head -1 | cut -c1-10; done | tr '\n' ' ')
is "$first" "Paragraphe Paragraphe " \
    "pages 2 and 3 start with a paragraph, not its last line alone"

# The fewest one-line paragraphs that take two pages: the signature does
# not go over alone, the last paragraph goes with it.
k=2
while [ $k -lt 80 ]; do
	seq -f 'Ligne %g.' 1 $k | sed G > "$d/k.txt"
	[ "$(letter "$d/k.pdf" "$address" "$d/k.txt" --pages)" = 2 ] && break
	k=$((k + 1))
done
like "$(pdftotext -f 2 -l 2 "$d/k.pdf" - | tr '\n' ' ')" "Ligne $k\. +Marie Martin" \
    "a signature pushed to page 2 takes the last paragraph with it ($k paragraphs)"

# A 300-letter word (a URL would do the same) is wrapped, not cut.
word=$(python3 -c 'print("".join(chr(97 + i % 26) for i in range(300)))')
printf 'Voir https://exemple.fr/%s pour le détail.\n' "$word" > "$d/word.txt"
letter "$d/w.pdf" "$address" "$d/word.txt"
case $(squeezed "$d/w.pdf" 1 1) in
*"https://exemple.fr/${word}pourledétail."*) ok 0 "a 300-letter word is wrapped whole" ;;
*) ok 1 "a 300-letter word is wrapped whole" ;;
esac
is "$(pdfinfo "$d/w.pdf" | sed -n 's/^Pages: *//p')" 1 "on one page"
done_testing
