#!/usr/bin/env bash
# Build the two public fusion callers, Arriba 2.5.1 and STAR-Fusion 1.15.1, from their source archives.
#
#   scripts/build-callers.sh [SRC_DIR] [DEST_DIR]
#
# SRC_DIR  holds arriba-2.5.1.tar.gz and STAR-Fusion-v1.15.1.tar.gz; default: $CALLER_SRC, else
#          ../shared/tools next to the checkout. It is only read (it is read-only in CI).
# DEST_DIR default: <checkout>/.tools. Gets arriba-2.5.1/ (built there), STAR-Fusion-v1.15.1/ (unpacked),
#          bin/ (put it first on PATH) and .build-callers.stamp (sha256 of both archives).
#
# Without the archives: one line on stderr naming where they are expected, exit 3 (a user's machine has
# no ../shared/; anything that needs the callers must skip there). When DEST was built from the same
# archives it only prints the versions. The Debian packages below are installed (apt, as root or via
# sudo) only when dpkg-query says one is missing. Last two lines on stdout: `arriba <version>` and
# `STAR-Fusion <version> (<archive>)`.
#
# Command names in DEST/bin are the ones a bioconda env puts on PATH, so a rule that calls them works
# unchanged on a cluster with conda:
#   - bioconda's star-fusion recipe (build.sh) copies the source tree to $PREFIX/lib/STAR-Fusion and
#     writes small bash wrappers in $PREFIX/bin: `STAR-Fusion`, `prep_genome_lib.pl` (older recipes
#     pointed it at FusionFilter/prep_genome_lib.pl; nf-core/rnafusion's STARFUSION_BUILD calls
#     `prep_genome_lib.pl` from PATH in a conda env, /opt/conda/lib/STAR-Fusion/ctat-genome-lib-builder/
#     prep_genome_lib.pl in the container) and `blast_and_promiscuity_filter.pl`. Wrappers, not links:
#     both scripts find their Perl libraries through $FindBin::Bin, which a symlink would point here.
#   - `dfamscan.pl` comes from bioconda's `dfam` package (its build.sh copies Dfam's dfamscan.pl into
#     $PREFIX/bin); `hmmscan` and `nhmmscan` from `hmmer`; `arriba` from the `arriba` package.
# So: arriba, STAR-Fusion, prep_genome_lib.pl, dfamscan.pl, hmmscan, as below.
set -euo pipefail

ARRIBA_TGZ=arriba-2.5.1.tar.gz
ARRIBA_DIR=arriba-2.5.1
STARF_TGZ=STAR-Fusion-v1.15.1.tar.gz
STARF_DIR=STAR-Fusion-v1.15.1

ARRIBA_DEBS=(g++ make libhts-dev libdeflate-dev zlib1g-dev libbz2-dev liblzma-dev)
STARF_DEBS=(hmmer ncbi-blast+ minimap2 libjson-xs-perl libset-intervaltree-perl liburi-perl perl samtools rna-star)

checkout=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$(realpath -m "${1:-${CALLER_SRC:-$checkout/../shared/tools}}")
dest=$(realpath -m "${2:-$checkout/.tools}")
stamp=$dest/.build-callers.stamp

say() { echo "build-callers: $*" >&2; }

if [[ ! -f $src/$ARRIBA_TGZ || ! -f $src/$STARF_TGZ ]]; then
    echo "build-callers: $ARRIBA_TGZ and $STARF_TGZ expected in $src (set CALLER_SRC=DIR); Arriba and STAR-Fusion not built" >&2
    exit 3
fi

# --- Debian packages: apt only when one is missing -----------------------------------------------
install_debs() {
    local missing=() p
    if ! command -v dpkg-query >/dev/null; then
        say "no dpkg-query (not Debian): assuming ${ARRIBA_DEBS[*]} ${STARF_DEBS[*]} are provided"
        return 0
    fi
    for p in "${ARRIBA_DEBS[@]}" "${STARF_DEBS[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    local sudo=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || { say "not root and no sudo: install ${missing[*]} yourself"; exit 1; }
        sudo=(sudo)
    fi
    say "installing Debian packages: ${missing[*]}"
    # Another apt may hold the locks for a while: wait for the dpkg lock, retry update on the lists lock.
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    local i
    for i in $(seq 60); do
        "${apt[@]}" update -qq && break
        ((i < 60)) || { say "apt-get update failed"; exit 1; }
        sleep 10
    done
    "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
install_debs

# --- already built from these archives? ------------------------------------------------------------
arriba_sum=$(sha256sum "$src/$ARRIBA_TGZ" | cut -d' ' -f1)
starf_sum=$(sha256sum "$src/$STARF_TGZ" | cut -d' ' -f1)
stamped() { [[ -f $stamp ]] && grep -qxF "$1  $2" "$stamp"; }

versions() {
    local a s
    a=$({ "$dest/bin/arriba" -h 2>&1 || true; } | sed -n 's/^Version: *//p' | sed -n 1p)
    s=$({ "$dest/bin/STAR-Fusion" --version 2>&1 || true; } | sed -n 's/^STAR-Fusion version: *//p' | sed -n 1p)
    [[ -n $a ]] || { say "$dest/bin/arriba -h prints no version"; exit 1; }
    [[ -n $s ]] || { say "$dest/bin/STAR-Fusion --version prints no version"; exit 1; }
    echo "arriba $a"
    echo "STAR-Fusion $s ($STARF_TGZ)"
}

arriba_ok=0 starf_ok=0
stamped "$arriba_sum" "$ARRIBA_TGZ" && [[ -x $dest/$ARRIBA_DIR/arriba ]] && arriba_ok=1
stamped "$starf_sum" "$STARF_TGZ" && [[ -x $dest/$STARF_DIR/STAR-Fusion ]] && starf_ok=1
if ((arriba_ok && starf_ok)) && [[ -x $dest/bin/arriba && -x $dest/bin/STAR-Fusion && -x $dest/bin/prep_genome_lib.pl \
        && -x $dest/bin/dfamscan.pl && -x $dest/bin/hmmscan ]]; then
    versions
    exit 0
fi

mkdir -p "$dest/bin"
rm -f "$stamp"

# Unpack an archive into DEST/<dir>, replacing what was there (files made writable so it can be
# replaced again later without root).
unpack() {  # unpack TGZ DIR
    local tmp=$dest/.unpack.$$
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -xzf "$src/$1" -C "$tmp" --no-same-owner
    [[ -d $tmp/$2 ]] || { say "$1 does not unpack to $2/"; exit 1; }
    chmod -R u+w "$tmp/$2"
    rm -rf "${dest:?}/$2"
    mv "$tmp/$2" "$dest/$2"
    rm -rf "$tmp"
}

# --- Arriba: its Makefile's bioconda target links Debian's shared htslib (headers as <sam.h>) ---------
if ((!arriba_ok)); then
    say "building Arriba from $src/$ARRIBA_TGZ in $dest/$ARRIBA_DIR (a few minutes)"
    unpack "$ARRIBA_TGZ" "$ARRIBA_DIR"
    make -C "$dest/$ARRIBA_DIR" -j2 bioconda CPPFLAGS=-I/usr/include/htslib >"$dest/$ARRIBA_DIR/build.log" 2>&1 \
        || { tail -n 20 "$dest/$ARRIBA_DIR/build.log" >&2; say "Arriba build failed, log: $dest/$ARRIBA_DIR/build.log"; exit 1; }
fi

# --- STAR-Fusion: Perl, nothing to compile (Debian's libset-intervaltree-perl replaces the plugin) ----
if ((!starf_ok)); then
    say "unpacking STAR-Fusion from $src/$STARF_TGZ in $dest/$STARF_DIR"
    unpack "$STARF_TGZ" "$STARF_DIR"
fi

# --- DEST/bin --------------------------------------------------------------------------------------
bin=$dest/bin
ln -sfn "../$ARRIBA_DIR/arriba" "$bin/arriba"

# Wrapper resolving its own location, so DEST can be moved as a whole.
wrapper() {  # wrapper NAME RELATIVE_TARGET
    rm -f "$bin/$1"
    cat >"$bin/$1" <<EOF
#!/bin/sh
# $1 from $STARF_TGZ (a wrapper like bioconda's: the script finds its libraries via FindBin::Bin).
exec "\$(dirname "\$(readlink -f "\$0")")/../$2" "\$@"
EOF
    chmod 755 "$bin/$1"
}
wrapper STAR-Fusion "$STARF_DIR/STAR-Fusion"
wrapper prep_genome_lib.pl "$STARF_DIR/ctat-genome-lib-builder/prep_genome_lib.pl"

# Stand-in for Dfam's dfamscan.pl, which no Debian package has. The CTAT builder
# (util/dfam_repeat_masker.pl) calls it as
#   dfamscan.pl -fastafile F -hmmfile H -dfam_outfile O --masking_thresh --cpu N
# and reads nhmmscan's Dfam table from O (query name, envelope start and end). The real script also
# removes redundant overlapping hits; on small genomes that changes the masking by a few bases at most.
rm -f "$bin/dfamscan.pl"
cat >"$bin/dfamscan.pl" <<'EOF'
#!/usr/bin/env perl
# Stand-in for Dfam's dfamscan.pl (written by allfuse's scripts/build-callers.sh): runs
#   nhmmscan --noali --cut_ga --dfamtblout O --cpu N H F
# i.e. the Dfam table with the gathering (masking) thresholds, without the real script's removal of
# redundant hits.
use strict;
use warnings;
use Getopt::Long qw(:config no_ignore_case);

my $usage = "usage: dfamscan.pl -fastafile F -hmmfile H -dfam_outfile O [--masking_thresh] [--cpu N]\n"
    . "(stand-in: runs nhmmscan --noali --cut_ga --dfamtblout O --cpu N H F)\n";
my ($fasta, $hmm, $out, $masking, $cpu, $help) = (undef, undef, undef, 0, 1, 0);
GetOptions('fastafile=s' => \$fasta, 'hmmfile=s' => \$hmm, 'dfam_outfile=s' => \$out,
           'masking_thresh' => \$masking, 'cpu=i' => \$cpu, 'help|h' => \$help) or die $usage;
if ($help) { print $usage; exit 0; }
die $usage unless $fasta && $hmm && $out && !@ARGV;
die "dfamscan.pl: --cpu must be at least 1\n" if $cpu < 1;

open(STDOUT, '>', '/dev/null') or die "dfamscan.pl: cannot redirect stdout: $!\n";
exec('nhmmscan', '--noali', '--cut_ga', '--dfamtblout', $out, '--cpu', $cpu, $hmm, $fasta)
    or die "dfamscan.pl: cannot run nhmmscan: $!\n";
EOF
chmod 755 "$bin/dfamscan.pl"

# The CTAT builder runs `hmmscan --cpu 4` whatever its --CPU: cap --cpu at the machine's cores, then
# run the real hmmscan (the next one on PATH, else /usr/bin/hmmscan).
rm -f "$bin/hmmscan"
cat >"$bin/hmmscan" <<'EOF'
#!/usr/bin/env bash
# hmmscan with --cpu capped at the cores of this machine (nproc); written by allfuse's build-callers.sh.
set -euo pipefail
max=$(nproc 2>/dev/null || echo 1)
cap() { if [[ $1 =~ ^[0-9]+$ ]] && (($1 > max)); then echo "$max"; else echo "$1"; fi; }
args=()
while (($#)); do
    case $1 in
        --cpu) if (($# > 1)); then args+=(--cpu "$(cap "$2")"); shift; else args+=("$1"); fi ;;
        --cpu=*) args+=("--cpu=$(cap "${1#--cpu=}")") ;;
        *) args+=("$1") ;;
    esac
    shift
done
self=$(readlink -f "$0")
real=/usr/bin/hmmscan
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
    if [[ -n $d && -x $d/hmmscan && $(readlink -f "$d/hmmscan") != "$self" ]]; then real=$d/hmmscan; break; fi
done
exec "$real" "${args[@]}"
EOF
chmod 755 "$bin/hmmscan"

printf '%s  %s\n%s  %s\n' "$arriba_sum" "$ARRIBA_TGZ" "$starf_sum" "$STARF_TGZ" >"$stamp"
say "built in $bin (put it first on PATH)"
versions
