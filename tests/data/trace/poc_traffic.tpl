import socket, sys
HOST, PORT = "127.0.0.1", int(sys.argv[1])
REQUEST = """POST /api/{{upload|import|ingest|submit}}/file-handler?session-key=1&run-mode={{fast|safe}}&lang-code={{en|de}} HTTP/1.1
Host: target.example
{{order}}User-Agent: {{Mozilla/5.0 (X11; Linux x86_64)|curl/8.5.0|Wget/1.21.3|python-requests/2.31.0}}
{{;}}Accept: {{*/*|text/html|application/json|text/plain}}
{{;}}X-Request-Id: {{canary:marker}}
{{;}}Accept-Language: {{en-US|en-GB|de-DE|fr-FR}}
{{;}}Connection: {{keep-alive|close}}
{{;}}Cache-Control: {{no-cache|no-store|max-age=0|private}}
{{/order}}X-Forwarded-For: {{canary:ipv4}}
Referer: http://{{canary:host}}/landing-page
Content-Type: multipart/form-data; boundary=----FormBoundary{{canary:port}}

Content-Disposition: form-data; name="{{payload|data|blob|content}}"; filename="{{canary:file}}"
first-field-value: {{trigger|exploit|overflow|crash}} done
operator-account: {{canary:user}} end
second-field-value: {{alpha|bravo|charlie|delta}} done
third-field-value: {{north|south|east|west}} done
fourth-field-value: {{apple|pear|plum|fig}} done
fifth-field-value: {{iron|zinc|gold|lead}} done
sixth-field-value: {{oak|elm|ash|yew}} done
"""

def send(raw):
    s = socket.create_connection((HOST, PORT), timeout=5)
    s.sendall(raw)
    s.recv(100)
    s.close()

send(REQUEST.replace("\n", "\r\n").encode())
