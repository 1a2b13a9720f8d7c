/**
 * The curl walkthrough `npm run local` prints: one command per line, each showing its result, waiting for the
 * processor before reading the status (`__tests__/integration/local-pipeline.test.ts` runs it with bash).
 */
export function curlWalkthrough(apiUrl: string, serverUrl: string): string[] {
  const json = (field: string, variable: string) => `node -pe 'JSON.parse(process.argv[1]).${field}' "$${variable}"`;
  return [
    `API=${apiUrl}`,
    `TOKEN=$(curl -sf ${serverUrl}/_local/token) && echo "token: \${TOKEN:0:24}..."`,
    `curl -s "$API/health"; echo`,
    `UPLOAD=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/presign?mode=upload&file=hello%20world.txt&contentType=text/plain&size=15"); echo "$UPLOAD"`,
    `ETAG=$(curl -s -o /dev/null -D - -X PUT -H "Content-Type: text/plain" --data-binary 'hello, pipeline' "$(${json("url", "UPLOAD")})" | tr -d '\\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *"*\\([^"]*\\)"*$/\\1/p'); echo "uploaded, ETag $ETAG"`,
    `until curl -s -H "Authorization: Bearer $TOKEN" "$API/files/hello%20world.txt?etag=$ETAG" | grep -q '"PROCESSED"'; do sleep 0.2; done; echo "processed"`,
    `curl -s -H "Authorization: Bearer $TOKEN" "$API/files/hello%20world.txt"; echo`,
    `DOWNLOAD=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/presign?file=hello%20world.txt"); curl -s "$(${json("url", "DOWNLOAD")})"; echo`,
    `curl -s -o /dev/null -w "without a token: %{http_code}\\n" "$API/presign?file=x"`,
  ];
}
