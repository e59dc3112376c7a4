#!/usr/bin/env python3
"""Measure crmsync-sim's Salesforce sObject Collections throughput.

Starts `crmsync-sim --only salesforce` (path in argv[1], default ./crmsync-sim),
gets a token, then sends N requests of 200 records each (create, then update,
then upsert) over one keep-alive connection and prints records/s per
operation. The simulator runs one thread per side, so this is one core.
"""
import http.client, json, os, subprocess, sys, time, urllib.parse

sim = sys.argv[1] if len(sys.argv) > 1 else "./crmsync-sim"
nreq = int(sys.argv[2]) if len(sys.argv) > 2 else 100
p = subprocess.Popen([sim, "--only", "salesforce", "--salesforce-port", "0", "--records", "10000"],
                     stdout=subprocess.PIPE, text=True)
try:
    ready = json.loads(p.stdout.readline())["salesforce"]
    u = urllib.parse.urlparse(ready["base_url"])
    c = http.client.HTTPConnection(u.hostname, u.port)
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": ready["client_id"],
                                   "client_secret": ready["client_secret"],
                                   "refresh_token": ready["refresh_token"]})
    c.request("POST", "/services/oauth2/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
    tok = json.loads(c.getresponse().read())["access_token"]
    hdr = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    base = "/services/data/v59.0/composite/sobjects"

    def cpu():
        with open(f"/proc/{p.pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")

    def run(label, method, path, bodies):
        c0 = cpu()
        t0 = time.perf_counter()
        ok = 0
        for b in bodies:
            c.request(method, path, b, hdr)
            res = json.loads(c.getresponse().read())
            ok += sum(1 for r in res if r.get("success"))
        dt = time.perf_counter() - t0
        dc = max(cpu() - c0, 0.01)
        n = 200 * len(bodies)
        print(f"{label:8s} {n} records: wall {dt:.3f} s = {n / dt:,.0f} records/s (client included); "
              f"simulator CPU {dc:.2f} s = {n / dc:,.0f} records/s per core ({ok} ok)")
        return ok

    bodies = [json.dumps({"allOrNone": False, "records": [
        {"attributes": {"type": "Contact"}, "LastName": f"B{i}-{k}", "Email": f"b{i}.{k}@bench.example",
         "HubSpot_Id__c": f"bench-{i}-{k}", "Title": "Engineer", "Phone": "+1 415 555 0100"}
        for k in range(200)]}) for i in range(nreq)]
    run("create", "POST", base, bodies)
    ids = []
    q = urllib.parse.quote("SELECT Id FROM Contact WHERE Email LIKE '%@bench.example'")
    path = f"/services/data/v59.0/query?q={q}"
    while path:
        c.request("GET", path, headers=hdr)
        page = json.loads(c.getresponse().read())
        ids += [r["Id"] for r in page["records"]]
        path = page.get("nextRecordsUrl")
    upd = [json.dumps({"records": [{"attributes": {"type": "Contact"}, "Id": x, "Title": "Lead Engineer"}
                                   for x in ids[i:i + 200]]}) for i in range(0, len(ids), 200)]
    run("update", "PATCH", base, upd)
    ups = [json.dumps({"records": [{"attributes": {"type": "Contact"}, "HubSpot_Id__c": f"bench-{i}-{k}",
                                    "Department": "R&D"} for k in range(200)]}) for i in range(nreq)]
    run("upsert", "PATCH", base + "/Contact/HubSpot_Id__c", ups)
finally:
    p.terminate()
    p.wait()
