-- JSON-RPC 2.0 client for `lcm serve --stdio` (newline-delimited JSON, docs/protocol.md).
-- One job per client; requests are answered by id through callbacks, so several can be in flight;
-- notifications/progress go to the on_progress handler.

local Rpc = {}
Rpc.__index = Rpc

local function is_nil(v)
  return v == nil or v == vim.NIL
end

--- Starts the server process. handlers: on_progress(params), on_exit(code, stderr_tail).
function Rpc.start(cmd, handlers)
  local self = setmetatable({
    next_id = 1,
    pending = {}, -- id -> callback(err, result)
    partial = "",
    stderr = {},
    handlers = handlers or {},
    alive = true,
  }, Rpc)
  local job = vim.fn.jobstart(cmd, {
    on_stdout = function(_, data)
      self:_on_stdout(data)
    end,
    on_stderr = function(_, data)
      for _, line in ipairs(data) do
        if line ~= "" then
          table.insert(self.stderr, line)
          if #self.stderr > 50 then
            table.remove(self.stderr, 1)
          end
        end
      end
    end,
    on_exit = function(_, code)
      self.alive = false
      -- Whatever was still waiting will never be answered.
      for id, callback in pairs(self.pending) do
        self.pending[id] = nil
        callback({ code = -32099, message = "the lcm server stopped (exit code " .. code .. ")" }, nil)
      end
      if self.handlers.on_exit then
        self.handlers.on_exit(code, table.concat(self.stderr, "\n"))
      end
    end,
  })
  if job <= 0 then
    error("lcm: cannot start " .. table.concat(cmd, " ") .. " (is lcm installed and on PATH?)")
  end
  self.job = job
  return self
end

-- jobstart hands stdout over in pieces split at newlines: the first piece continues the last
-- partial line, the last piece is the start of the next one.
function Rpc:_on_stdout(data)
  data[1] = self.partial .. data[1]
  self.partial = table.remove(data)
  for _, line in ipairs(data) do
    if line ~= "" then
      local ok, message = pcall(vim.json.decode, line)
      if ok and type(message) == "table" then
        self:_dispatch(message)
      end
    end
  end
end

function Rpc:_dispatch(message)
  if vim.tbl_islist(message) then -- a batch answer
    for _, m in ipairs(message) do
      self:_dispatch(m)
    end
    return
  end
  if is_nil(message.method) then
    local callback = self.pending[message.id]
    if callback then
      self.pending[message.id] = nil
      if not is_nil(message.error) then
        callback(message.error, nil)
      else
        callback(nil, message.result)
      end
    end
  elseif message.method == "notifications/progress" and self.handlers.on_progress then
    self.handlers.on_progress(message.params)
  end
end

function Rpc:_send(message)
  if not self.alive then
    return false
  end
  vim.fn.chansend(self.job, vim.json.encode(message) .. "\n")
  return true
end

--- Sends a request; callback(err, result) runs on the main loop. Returns the request id.
function Rpc:request(method, params, callback)
  local id = self.next_id
  self.next_id = id + 1
  self.pending[id] = vim.schedule_wrap(callback)
  if not self:_send({ jsonrpc = "2.0", id = id, method = method, params = params or vim.empty_dict() }) then
    self.pending[id] = nil
    callback({ code = -32099, message = "the lcm server is not running" }, nil)
  end
  return id
end

function Rpc:notify(method, params)
  self:_send({ jsonrpc = "2.0", method = method, params = params or vim.empty_dict() })
end

--- Cancels a request in flight; the server answers it with -32800.
function Rpc:cancel(id)
  if self.pending[id] then
    self:notify("$/cancelRequest", { id = id })
  end
end

function Rpc:in_flight()
  local ids = {}
  for id in pairs(self.pending) do
    table.insert(ids, id)
  end
  return ids
end

--- shutdown, then exit; the job is stopped if it does not end by itself.
function Rpc:stop()
  if not self.alive then
    return
  end
  self:request("shutdown", nil, function()
    self:notify("exit")
  end)
  vim.defer_fn(function()
    if self.alive then
      vim.fn.jobstop(self.job)
    end
  end, 2000)
end

return Rpc
