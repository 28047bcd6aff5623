#!/usr/bin/env bash
# Fuzzes the Kraken v2 parser and client with libFuzzer (swiftc -sanitize=fuzzer,address), seeded with the protocol
# fixtures. Any crash, sanitizer report or leak stops the run with a non-zero exit and leaves the input in $OUT.
#   scripts/fuzz/run.sh [SECONDS=60]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-60}
OUT=${OUT:-/tmp/ws-kraken-fuzz}
mkdir -p "$OUT/build" "$OUT/corpus" "$OUT/crashes"
cp Tests/KrakenWSTests/Fixtures/*.jsonl "$OUT/build/"
# One input per fixture line.
i=0
for f in Tests/KrakenWSTests/Fixtures/*.jsonl; do
    while IFS= read -r line; do i=$((i + 1)); printf '%s' "$line" > "$OUT/corpus/seed-$i"; done < "$f"
done
FLAGS=(-O -sanitize=fuzzer,address -parse-as-library -swift-version 6)
# TradingCore and the pure part of KrakenWS (not the socket transport), as modules of their own.
swiftc "${FLAGS[@]}" -emit-module -emit-library -static -module-name TradingCore -emit-module-path "$OUT/build/TradingCore.swiftmodule" \
    -o "$OUT/build/libTradingCore.a" Sources/TradingCore/*.swift
KRAKEN=$(ls Sources/KrakenWS/*.swift | grep -v KrakenConnection.swift)
swiftc "${FLAGS[@]}" -I "$OUT/build" -emit-module -emit-library -static -module-name KrakenWS -emit-module-path "$OUT/build/KrakenWS.swiftmodule" \
    -o "$OUT/build/libKrakenWS.a" $KRAKEN
swiftc "${FLAGS[@]}" -I "$OUT/build" -L "$OUT/build" -lKrakenWS -lTradingCore -o "$OUT/build/kraken-fuzz" scripts/fuzz/KrakenFuzz.swift
"$OUT/build/kraken-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -artifact_prefix="$OUT/crashes/" -print_final_stats=1 "$OUT/corpus"
