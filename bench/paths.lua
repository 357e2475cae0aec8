-- Realistic traffic for wrk: the requests of a file, one per line (`METHOD PATH [BODY]`), sent in
-- turn from a random starting line, so that every run touches many distinct sessions and users.
-- The file is named by the REQUESTS environment variable, the secret key by KEY.
local key = os.getenv("KEY")
local headers = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
local requests = {}
local next_request

init = function(args)
  for line in io.lines(os.getenv("REQUESTS")) do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  math.randomseed(os.time())
  next_request = math.random(#requests)
end

request = function()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
