-- wrk script: POST a small JP Core-like Patient on every request (keep-alive).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.body = '{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.392.100495.20.3.51.11311234567","value":"00012345"}],"name":[{"use":"official","text":"山田 太郎","family":"山田","given":["太郎"]}],"gender":"male","birthDate":"1970-01-01"}'

-- Count non-2xx answers so a run that fails is not mistaken for a fast one.
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
