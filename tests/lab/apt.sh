# shellcheck shell=bash
# ovsdp kernel lab: a private apt state per Debian suite, on the host's own
# mirror and keyring, without touching the host's apt lists.  Sourced by
# tests/lab/run and tests/lab/trixie-root; they define CACHE, REFRESH, die
# and EX_FETCH.

# Mirror URI and keyring of the machine's own Debian archive source.
host_apt_source() {
	local f line uri='' key='' types='' suites='' comps='' stanza_uri='' stanza_key=''
	HOST_URI='' HOST_KEY=''
	flush_stanza() {
		if [ -z "$uri" ] && [[ " $types " == *" deb "* ]] && [[ " $comps " == *" main "* ]] &&
			[[ " $suites " =~ \ [a-z]+\  ]]; then
			uri=${stanza_uri%% *} key=$stanza_key
		fi
		types='' suites='' comps='' stanza_uri='' stanza_key=''
	}
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'#'*) continue ;;
			'') flush_stanza ;;
			[Tt]ypes:*) types=$(echo "${line#*:}" | xargs) ;;
			[Uu][Rr][Ii][Ss]:*) stanza_uri=$(echo "${line#*:}" | xargs) ;;
			[Ss]uites:*) suites=$(echo "${line#*:}" | xargs) ;;
			[Cc]omponents:*) comps=$(echo "${line#*:}" | xargs) ;;
			[Ss]igned-[Bb]y:*) stanza_key=$(echo "${line#*:}" | xargs) ;;
			esac
		done <"$f"
		flush_stanza
	done
	if [ -z "$uri" ]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [opts] URI SUITE COMPONENTS...
			line=$(sed -n -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+[a-z]+[[:space:]]+.*\bmain\b.*/\2 \1/p' "$f" | head -n 1)
			[ -n "$line" ] || continue
			uri=${line%% *}
			if [[ $line =~ signed-by=([^][:space:]]+) ]]; then key=${BASH_REMATCH[1]}; fi
			break
		done
	fi
	[ -n "$uri" ] || return 1
	# Inline keys (deb822 multi-line) cannot go in a one-line source.
	if [ -n "$key" ] && [ ! -f "$key" ]; then
		key=''
		[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
			key=/usr/share/keyrings/debian-archive-keyring.gpg
	fi
	HOST_URI=$uri HOST_KEY=$key
}

# apt_setup SUITE -- private apt state in $CACHE/apt/SUITE; sets APT_OPTS.
apt_setup() {
	local suite=$1 d f
	d=$CACHE/apt/$suite
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/dl"
	[ -f "$d/status" ] || : >"$d/status"
	if [ ! -f "$d/sources.list" ] || [ -n "${REFRESH:-}" ] || [ "$(find "$d/sources.list" -mmin +1440 2>/dev/null)" ]; then
		host_apt_source || die "$EX_FETCH" "no Debian 'deb ... main' source found in /etc/apt"
		# A backports suite is incomplete alone: its base suite too.
		local s opts=''
		[ -z "$HOST_KEY" ] || opts="[signed-by=$HOST_KEY] "
		for s in $(printf '%s\n' "${suite%-backports}" "$suite" | uniq); do
			printf 'deb %s%s %s main\n' "$opts" "$HOST_URI" "$s"
		done >"$d/sources.list"
	fi
	# The host's apt.conf.d (proxies etc.) without its update/dpkg hooks.
	find "$d/parts" -mindepth 1 -delete
	for f in /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && ln -s "$f" "$d/parts/"
	done
	printf '%s\n' '#clear APT::Update::Pre-Invoke;' '#clear APT::Update::Post-Invoke;' \
		'#clear APT::Update::Post-Invoke-Success;' '#clear DPkg::Pre-Invoke;' \
		'#clear DPkg::Post-Invoke;' '#clear APT::Default-Release;' >"$d/parts/zz-ovsdp-lab"
	printf 'Dir::Etc::Parts "%s";\n' "$d/parts" >"$d/apt.conf"
	APT_CONF=$d/apt.conf
	APT_OPTS=(-o "Dir::State::Lists=$d/lists" -o "Dir::Etc::SourceList=$d/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=$d/status" -o "Dir::State::extended_states=$d/extended_states"
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o APT::Architecture=amd64 -o APT::Architectures=amd64
		-o Acquire::Languages=none -o APT::Sandbox::User=root
		-o Acquire::Check-Valid-Until=false -o Acquire::Retries=1
		-o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30)
}

papt() { APT_CONFIG=$APT_CONF "$@" "${APT_OPTS[@]}"; }
