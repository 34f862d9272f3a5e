-- wrk script: POST a small JP Core-like Patient on every request (keep-alive), each with its own
-- identifier value so that identifier searches afterwards match one patient, as in real use.
local counter = 0
local thread_tag = tostring(math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local body = '{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.392.100495.20.3.51.11311234567","value":"'
    .. thread_tag .. '-' .. counter .. '"}],"name":[{"use":"official","text":"山田 太郎","family":"山田","given":["太郎"]}],'
    .. '"gender":"male","birthDate":"1970-01-01"}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/fhir+json" }, body)
end

-- Non-2xx answers are counted so that a failing run is not mistaken for a fast one.
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
