"""The Grafana dashboard shipped in observability/, checked against a real
Prometheus: it is importable (a datasource input, no datasource of ours
baked in), and every panel's query and every variable's values return data
once Grafana's variables are filled as "All" would fill them.

  python3 ci/grafana-check.py --dashboard observability/grafana-e2e-anon.json --prometheus http://127.0.0.1:9090
"""
import argparse, json, re, sys, time, urllib.parse, urllib.request

# What Grafana puts in place of its built-in variables, at a 1 s scrape.
BUILT_IN = {"$__rate_interval": "15s", "$__interval": "5s", "$__range": "1h"}


def query(prometheus, path, params):
    url = f"{prometheus}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = json.load(answer)
    if body.get("status") != "success":
        raise ValueError(f"{path}: {body.get('error', body)}")
    return body["data"]


def filled(expr, variables):
    for name, value in BUILT_IN.items():
        expr = expr.replace(name, value)
    for name in variables:
        expr = re.sub(r"\$\{" + name + r"(:[a-z]+)?\}|\$" + name + r"\b", ".*", expr)
    return expr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--wait", type=float, default=30, help="seconds to wait for a query to return data")
    args = parser.parse_args()
    with open(args.dashboard, encoding="utf-8") as file:
        dashboard = json.load(file)
    problems = []

    inputs = {item["name"] for item in dashboard.get("__inputs", []) if item.get("pluginId") == "prometheus"}
    if not inputs:
        problems.append("no Prometheus datasource input: Grafana's import would not ask which Prometheus to use")
    variables = [item["name"] for item in dashboard.get("templating", {}).get("list", [])]
    checks = []
    for item in dashboard.get("templating", {}).get("list", []):
        match = re.fullmatch(r"label_values\((\w+), *(\w+)\)", item.get("definition", ""))
        if not match:
            problems.append(f"variable {item['name']}: a query this check cannot run ({item.get('definition')})")
            continue
        checks.append((f"variable {item['name']}", "label", match.group(2), match.group(1)))
    for panel in dashboard.get("panels", []):
        uid = (panel.get("datasource") or {}).get("uid", "")
        if uid.strip("${}") not in inputs:
            problems.append(f"panel '{panel.get('title')}': its datasource {uid!r} is not the dashboard's input")
        if not panel.get("targets"):
            problems.append(f"panel '{panel.get('title')}': no query")
        for target in panel.get("targets", []):
            checks.append((f"panel '{panel['title']}' query {target['refId']}", "query", filled(target["expr"], variables), None))

    for name, kind, what, metric in checks:
        deadline, found, error = time.monotonic() + args.wait, 0, None
        while True:
            try:
                if kind == "label":
                    found = len(query(args.prometheus, f"/api/v1/label/{what}/values", {"match[]": metric}))
                else:
                    found = len(query(args.prometheus, "/api/v1/query", {"query": what})["result"])
                error = None
            except (OSError, ValueError) as failure:
                error = str(failure)
            if found or time.monotonic() > deadline:
                break
            time.sleep(1)
        if error:
            problems.append(f"{name}: Prometheus refused it: {error}")
        elif not found:
            problems.append(f"{name}: no data within {args.wait:.0f} s ({what})")
        else:
            print(f"  {name}: {found} series")

    for problem in problems:
        print("FAIL " + problem)
    print(f"grafana dashboard: {'FAILED' if problems else 'passed'} ({len(checks)} queries against {args.prometheus})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
