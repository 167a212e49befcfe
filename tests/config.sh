#!/bin/sh
# msp-report config check on configuration files written here, each with
# one known fault: the problem is said on its line, in French, and the
# exit status is 1; a right file (the one the package installs, with its
# secret and connection strings filled in) gives nothing and 0.  Then
# msp-report's own reading of the file: a setting the environment lacks
# comes from it, one the environment has is not overridden, and a line
# it cannot read stops it.  No database: the connections fail, and the
# message names the socket each one tried.
set -u
src=${MSP_SRCDIR:?}
bld=${MSP_BUILDDIR:?}
failures=0
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
ok() { printf 'ok: %s\n' "$*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/msp-config.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
report() { "$bld/cli/msp-report" "$@"; }
unset MSP_DATABASE_URL MSP_REPORT_DATABASE_URL MSP_SECRET_FILE MSP_CONFIG

head -c 32 /dev/urandom > "$tmp/secret"
chmod 640 "$tmp/secret"
# The packaged file with its blanks filled as postinst and an
# administrator would.
sed -e "s|^MSP_SECRET_FILE=.*|MSP_SECRET_FILE=$tmp/secret|" \
    -e "s|^MSP_DATABASE_URL=.*|MSP_DATABASE_URL='postgresql:///msp?host=/var/run/postgresql'|" \
    -e "s|^MSP_FCGI_DATABASE_URL=.*|MSP_FCGI_DATABASE_URL='postgresql://msp_worker:s3cret@localhost/msp'|" \
    -e "s|^MSP_SMTP_URL=.*|MSP_SMTP_URL=smtp://relay.example.org:587|" \
    -e "s|^MSP_SMTP_FROM=.*|MSP_SMTP_FROM=enquete@example.org|" \
    -e "s|^MSP_PUBLIC_URL=.*|MSP_PUBLIC_URL=https://enquete.example.org|" \
    -e "s|^MSP_MIGRATE_USER=.*|MSP_MIGRATE_USER=$(id -un)|" \
    "$src/debian/msp-survey.conf" > "$tmp/good.conf"
chmod 600 "$tmp/good.conf"
out=$(report config check "$tmp/good.conf"); rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "the packaged file, filled in: no problem"
else fail "the packaged file, filled in: rc $rc, '$out'"; fi

# case LINE WANT: good.conf with LINE in place of the setting of the
# same name (if any); the problem is WANT (a grep -E pattern) on the
# file's last line, LINE, and the exit status 1.
case_() {
	name=${1%%=*}
	grep -v "^$name=" "$tmp/good.conf" > "$tmp/bad.conf"
	printf '%s\n' "$1" >> "$tmp/bad.conf"
	chmod 600 "$tmp/bad.conf"
	n=$(wc -l < "$tmp/bad.conf")
	out=$(report config check "$tmp/bad.conf"); rc=$?
	if [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
	   printf '%s\n' "$out" | grep -qE "^$tmp/bad.conf:$n: $2"; then
		ok "'$1': $out"
	else
		fail "'$1': rc $rc, '$out'"
	fi
}
case_ 'MSP_FCGI_WROKERS=4' 'MSP_FCGI_WROKERS : variable inconnue'
case_ 'MSP_FCGI_WORKERS=0' 'MSP_FCGI_WORKERS : un nombre de 1 à 64'
case_ 'MSP_FCGI_WORKERS=65' 'MSP_FCGI_WORKERS : un nombre de 1 à 64'
case_ 'MSP_FCGI_BATCH=257' 'MSP_FCGI_BATCH : un nombre de 1 à 256'
case_ 'MSP_FCGI_BATCH=abc' 'MSP_FCGI_BATCH : un nombre'
case_ 'MSP_MIGRATE_USER=no-such-account' \
	'MSP_MIGRATE_USER : le compte « no-such-account » n.existe pas'
case_ "MSP_REPORT_DATABASE_URL='host=h nokey=1'" \
	'MSP_REPORT_DATABASE_URL : chaîne de connexion refusée par libpq : .*nokey'
case_ 'MSP_REPORT_DATABASE_URL=host=a b' 'MSP_REPORT_DATABASE_URL : valeur non comprise'
case_ 'MSP_FCGI_REPORT_DATABASE_URL="a$b"' 'MSP_FCGI_REPORT_DATABASE_URL : valeur non comprise'
case_ 'MSP_DISCLOSURE_THRESHOLD=5' 'MSP_DISCLOSURE_THRESHOLD n.est plus lu.*msp.disclosure_policy'
case_ "MSP_SECRET_FILE=$tmp/none" "MSP_SECRET_FILE : .*$tmp/none"
case_ "MSP_SECRET_FILE=secret" "MSP_SECRET_FILE : chemin absolu attendu"
case_ 'MSP_SMTP_FROM=pas-une-adresse' 'MSP_SMTP_FROM : « pas-une-adresse » n.est pas une adresse'
case_ 'MSP_SMTP_PASSWORD_FILE=/nonexistent/pw' 'MSP_SMTP_PASSWORD_FILE : /nonexistent/pw illisible'
case_ 'MSP_PUBLIC_URL=ftp://x' 'MSP_PUBLIC_URL : adresse publique'
case_ '  MSP_FCGI_BATCH=2' 'blanc en début de ligne'
case_ 'MSP_FCGI_BATCH = 2' 'nom de variable invalide'
case_ 'export MSP_FCGI_BATCH=2' 'nom de variable invalide'
case_ 'juste du texte' 'ligne sans « = »'

# a setting given twice
cp "$tmp/good.conf" "$tmp/twice.conf"
echo 'MSP_FCGI_WORKERS=8' >> "$tmp/twice.conf"
first=$(grep -n '^MSP_FCGI_WORKERS=' "$tmp/good.conf" | cut -d: -f1)
out=$(report config check "$tmp/twice.conf"); rc=$?
if [ "$rc" -eq 1 ] && [ "$out" = "$tmp/twice.conf:$(wc -l < "$tmp/twice.conf"): MSP_FCGI_WORKERS déjà donné ligne $first : la dernière valeur l'emporterait" ]; then
	ok "a setting given twice"
else fail "a setting given twice: rc $rc, '$out'"; fi

# whole-file problems: no line number
check_whole() {	# description file want
	out=$(report config check "$2"); rc=$?
	if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qE "^$2: $3"; then
		ok "$1"
	else
		fail "$1: rc $rc, '$out'"
	fi
}
grep -v '^MSP_SECRET_FILE=' "$tmp/good.conf" > "$tmp/nosecret.conf"
check_whole "no secret file named" "$tmp/nosecret.conf" 'MSP_SECRET_FILE manque'
grep -v 'DATABASE_URL=' "$tmp/good.conf" > "$tmp/nodb.conf"
chmod 600 "$tmp/nosecret.conf" "$tmp/nodb.conf"
check_whole "no database named" "$tmp/nodb.conf" 'ni MSP_FCGI_DATABASE_URL ni MSP_DATABASE_URL'
cp "$tmp/good.conf" "$tmp/open.conf"; chmod 644 "$tmp/open.conf"
check_whole "a password readable by all" "$tmp/open.conf" 'le fichier donne un mot de passe et tout le monde peut le lire \(mode 0644\)'
grep -v '^MSP_SMTP_FROM=' "$tmp/good.conf" > "$tmp/open.conf"; chmod 600 "$tmp/open.conf"
check_whole "a relay without its sender" "$tmp/open.conf" 'le relais SMTP veut MSP_SMTP_URL et MSP_SMTP_FROM'
check_whole "a file that is not there" "$tmp/absent.conf" '.*No such file'
chmod 644 "$tmp/secret"
out=$(report config check "$tmp/good.conf"); rc=$?
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q 'MSP_SECRET_FILE : .* accessible à tous (mode 0644)'; then
	ok "a secret readable by all"
else fail "a secret readable by all: rc $rc, '$out'"; fi
head -c 10 /dev/urandom > "$tmp/secret"; chmod 600 "$tmp/secret"
out=$(report config check "$tmp/good.conf"); rc=$?
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q 'MSP_SECRET_FILE : .*32'; then
	ok "a secret too short"
else fail "a secret too short: rc $rc, '$out'"; fi
report config check a b >/dev/null 2>&1
[ $? -eq 2 ] && ok "two files: usage error 2" || fail "two files: usage error 2"
report config --help | grep -q '^Usage: msp-report config check' &&
	ok "config --help" || fail "config --help"

# --- msp-report reads the file ------------------------------------------
printf 'MSP_DATABASE_URL="host=%s/from-file port=1"\n' "$tmp" > "$tmp/read.conf"
err=$(MSP_CONFIG=$tmp/read.conf report db status 2>&1)
case "$err" in
*"$tmp/from-file/.s.PGSQL.1"*) ok "a setting the environment lacks comes from the file" ;;
*) fail "a setting the environment lacks comes from the file: '$err'" ;;
esac
err=$(MSP_CONFIG=$tmp/read.conf MSP_DATABASE_URL="host=$tmp/from-env port=1" \
	report db status 2>&1)
case "$err" in
*"$tmp/from-env/.s.PGSQL.1"*) ok "the environment wins over the file" ;;
*) fail "the environment wins over the file: '$err'" ;;
esac
printf 'MSP_DATABASE_URL=host=a b\n' > "$tmp/broken.conf"
err=$(MSP_CONFIG=$tmp/broken.conf report db status 2>&1); rc=$?
case "$rc:$err" in
1:*"broken.conf:1: MSP_DATABASE_URL : valeur non comprise"*"config check"*)
	ok "a file msp-report cannot read stops it, saying where" ;;
*) fail "a file msp-report cannot read stops it: rc $rc, '$err'" ;;
esac
chmod 000 "$tmp/read.conf"
chmod 711 "$tmp"	# the file's mode stops nobody, not the directory's
err=$(MSP_CONFIG=$tmp/read.conf setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$bld/cli/msp-report" db status 2>&1); rc=$?
case "$rc:$err" in
1:*"read.conf illisible"*"MSP_CONFIG="*)
	ok "a file it may not read stops it (not libpq's defaults)" ;;
*) fail "a file it may not read stops it: rc $rc, '$err'" ;;
esac
err=$(MSP_CONFIG= report db status 2>&1)
case "$err" in
*"$tmp"*) fail "MSP_CONFIG= reads no file: '$err'" ;;
*) ok "MSP_CONFIG= reads no file" ;;
esac

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
