"""The Python parts of ci/bench, one subcommand each:
  stream DIR                 writes DIR/stream.txt: 256 MiB of small `delta` events
  httpx-read URL             reads an event stream with httpx + httpx-sse (the peer), prints events=N
  package-table MARKDOWN     the p50 of each package-benchmark, as a Markdown table
  readme README TABLE        puts TABLE into README between its bench markers
"""
import re
import sys


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
    {"stream": stream, "httpx-read": httpx_read, "package-table": package_table, "readme": readme}[command](*args)
