"""The Python parts of ci/bench, one subcommand each:
  stream DIR                 writes DIR/stream.txt: 256 MiB of small `delta` events
  httpx-read URL             reads an event stream with httpx + httpx-sse (the peer), prints events=N
  package-table MARKDOWN     the p50 of each package-benchmark, as a Markdown table
  readme README TABLE        puts TABLE into README between its bench markers
  wire PCAP TIMES PORT N     one row: the times wire-times reported against the packets' (tshark)
"""
import re
import sys


def percentile(values, p):
    """Nearest rank, as the suite's own reports."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))] if ordered else float("nan")


def wire(pcap, times, port, streams):
    """Each head (X-Tag) and frame (id: tag-n) the server sent, at the capture's timestamp of the packet
    that carried it, against the time wire-times reported for it: the difference's p50/p99/max in ms."""
    import subprocess
    fields = subprocess.run(["tshark", "-r", pcap, "-Y", f"tcp.srcport == {port} && tcp.len > 0", "-T", "fields",
                             "-e", "frame.time_epoch", "-e", "tcp.payload"], capture_output=True, text=True, check=True).stdout
    on_wire = {}
    for line in fields.splitlines():
        stamp, _, payload = line.partition("\t")
        data = bytes.fromhex(payload.replace(":", ""))
        for match in re.finditer(rb"X-Tag: (s\d+)\r\n|id: (s\d+-\d+)\n", data):
            on_wire.setdefault((match.group(1) or match.group(2)).decode(), float(stamp))
    heads, frames = [], []
    for line in open(times):
        tag, _, stamp = line.strip().partition(" ")
        if tag in on_wire:
            (frames if "-" in tag else heads).append((float(stamp) - on_wire[tag]) * 1000)
    def cells(values):
        return " | ".join(f"{percentile(values, p):.2f}" for p in (50, 99)) + f" | {max(values):.2f}" if values else "- | - | -"
    print(f"| {streams} | {len(heads)} | {cells(heads)} | {len(frames)} | {cells(frames)} |")


def stream(directory):
    line = 'id: {i}\nevent: delta\ndata: {{"delta":"abcdefghijklmnopqrst","seq":{i:09d}}}\n\n'
    with open(f"{directory}/stream.txt", "w") as f:
        i, size = 0, 0
        while size < 256 << 20:
            chunk = "".join(line.format(i=n) for n in range(i, i + 10000))
            f.write(chunk)
            size += len(chunk)
            i += 10000


def httpx_read(url):
    import httpx
    from httpx_sse import connect_sse
    events = 0
    with httpx.Client(timeout=None) as client:
        with connect_sse(client, "GET", url) as source:
            for _ in source.iter_sse():
                events += 1
    print(f"events={events}")


def package_table(path):
    rows, name, metrics = [], None, {}
    for line in open(path):
        if line.startswith("### "):
            if name:
                rows.append((name, metrics))
            name, metrics = line[4:].strip(), {}
        elif name and line.startswith("|") and not line.startswith("|--") and not line.startswith("| Metric"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4:
                metrics[cells[0].rstrip(" *")] = cells[3]
    if name:
        rows.append((name, metrics))

    def pick(metrics, prefix):
        # "Time (wall clock) (ms)" → "43 ms"; package-benchmark's M and K are mega and kilo.
        for key, value in metrics.items():
            if key.startswith(prefix):
                unit = re.findall(r"\(([^)]*)\)", key)[-1]
                return f"{value} {dict(M='MB', K='K').get(unit, unit) if unit not in ('total', '#') else ''}".strip()
        return ""

    print("| package-benchmark (p50) | MiB/s | K events/s | wall | mallocs | peak RSS |")
    print("|---|---|---|---|---|---|")
    for name, metrics in rows:
        print(f"| {name} | {metrics.get('MiB/s', '')} | {metrics.get('K events/s', '')} | {pick(metrics, 'Time (wall clock)')} | "
              f"{pick(metrics, 'Malloc (total)')} | {pick(metrics, 'Memory (resident peak)')} |")


def readme(path, table_path):
    table = open(table_path).read()
    text = open(path).read()
    start, end = "<!-- bench:start (ci/bench writes this table) -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        open(path, "w").write(head + start + "\n" + table + end + rest.split(end, 1)[1])


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"stream": stream, "httpx-read": httpx_read, "package-table": package_table, "readme": readme, "wire": wire}[command](*args)
