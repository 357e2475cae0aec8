-- Mixed traffic for the soak run: lists, gets, token minting, revokes and the JWKS, every
-- request one that must succeed. The secret key comes from the KEY environment variable.
local key = os.getenv("KEY")
local headers = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
local mix = {}

init = function(args)
  local alice = "user_2AlicexBGaRy7HSnjHcaZabMn26"
  local add = function(weight, method, path, body)
    for _ = 1, weight do
      mix[#mix + 1] = wrk.format(method, path, headers, body)
    end
  end
  add(3, "GET", "/v1/sessions?user_id=" .. alice .. "&limit=10")
  add(1, "GET", "/v1/sessions?user_id=" .. alice .. "&status=active&paginated=true")
  add(3, "GET", "/v1/sessions/sess_2AliceActiveZICgVFaEP1MWWEP")
  add(2, "POST", "/v1/sessions/sess_2AliceActiveZICgVFaEP1MWWEP/tokens", "{}")
  add(1, "POST", "/v1/sessions/sess_2AliceAcmeSNRmnp0OBiF59X58Y/tokens/test", "")
  add(1, "POST", "/v1/sessions/sess_2BobActiveS7TT1MaCiZHMkhSCA/revoke", "")
  add(1, "GET", "/v1/jwks")
end

local n = 0
request = function()
  n = n + 1
  return mix[(n % #mix) + 1]
end
