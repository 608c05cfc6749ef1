-- lcm for Neovim: outline, summarize and render the current buffer (or a visual range) through
-- `lcm serve --stdio`. Results open in a split; <CR> on a result line jumps to its source sentence.
--
--   require("lcm").setup({
--     cmd = { "lcm", "serve", "--stdio" },   -- how to start the server
--     split = "vsplit",                       -- or "split", "tabnew"
--     summarize = { length = "short" },       -- extra params for summarize (docs/protocol.md)
--     render = {},                            -- extra params for render (e.g. decode = { beam = 1 })
--   })

local Rpc = require("lcm.rpc")
local view = require("lcm.view")

local M = {}

M.config = {
  cmd = { "lcm", "serve", "--stdio" },
  split = "vsplit",
  summarize = {},
  render = {},
  outline = {},
  progress = true,
}

local client = nil
local server_info = nil
local last_result = nil -- { id = resultId, source = bufnr, first_line, text }
local counter = 0

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
end

local function notify(message, level)
  vim.notify("lcm: " .. message, level or vim.log.levels.INFO)
end

local function on_progress(params)
  if not M.config.progress then
    return
  end
  local pct = params.total and params.total > 0 and math.floor(params.progress * 100 / params.total) or params.progress
  local message = type(params.message) == "string" and params.message or ""
  vim.schedule(function()
    vim.api.nvim_echo({ { string.format("lcm: %s%% %s", pct, message) } }, false, {})
  end)
end

--- The running client, started (and initialized) on first use.
function M.client()
  if client and client.alive then
    return client
  end
  client = Rpc.start(M.config.cmd, {
    on_progress = on_progress,
    on_exit = function(code, stderr)
      if code ~= 0 then
        vim.schedule(function()
          notify("server exited with code " .. code .. (stderr ~= "" and (": " .. stderr) or ""), vim.log.levels.ERROR)
        end)
      end
    end,
  })
  client:request("initialize", { clientInfo = { name = "lcm.nvim" } }, function(err, result)
    if err then
      notify("initialize failed: " .. err.message, vim.log.levels.ERROR)
    else
      server_info = result
    end
  end)
  return client
end

--- Whether the server is running now (without starting it).
function M.running()
  return client ~= nil and client.alive
end

function M.server_info()
  return server_info
end

--- The text to send: the buffer, or lines line1..line2 (1-based) when a range was given.
local function buffer_text(opts)
  local buf = vim.api.nvim_get_current_buf()
  local first, last = 0, -1
  if opts and opts.range and opts.range > 0 then
    first, last = opts.line1 - 1, opts.line2
  end
  local lines = vim.api.nvim_buf_get_lines(buf, first, last, false)
  return buf, first, table.concat(lines, "\n")
end

local function request(method, params, on_result)
  local started = vim.loop.hrtime()
  M.client():request(method, params, function(err, result)
    if err then
      notify(method .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    on_result(result, (vim.loop.hrtime() - started) / 1e6)
  end)
end

local function next_token()
  counter = counter + 1
  return "nvim-" .. counter
end

--- :LcmOutline: the buffer's sections and concepts; <CR> on a line jumps to it.
function M.outline(opts)
  local source, first_line, text = buffer_text(opts)
  local params = vim.tbl_extend("force", M.config.outline, { text = text, uri = vim.uri_from_bufnr(source) })
  request("outline", params, function(result)
    local lines, links = {}, {}
    local function walk(sections)
      for _, section in ipairs(sections) do
        if section.title ~= "" then
          table.insert(lines, string.rep("#", math.max(section.level, 1)) .. " " .. section.title)
          if section.span ~= vim.NIL then
            links[#lines] = section.span[1]
          end
        end
        for _, concept in ipairs(section.concepts) do
          table.insert(lines, "- " .. concept.text)
          if concept.span ~= vim.NIL then
            links[#lines] = concept.span[1]
          end
        end
        walk(section.sections)
      end
    end
    walk(result.sections)
    local stats = result.stats
    table.insert(lines, "")
    table.insert(lines, string.format("<!-- %d tokens -> %d concepts (%.1f tokens per concept) -->", stats.tokens, stats.concepts, stats.ratio))
    view.show("lcm://outline/" .. source, lines, {
      split = M.config.split,
      source = source,
      first_line = first_line,
      text = text,
      links = links,
    })
  end)
end

-- A concept as the reader sees it: its text with the marker of where it came from ([sN]: the source
-- sentence verbatim, [sN decoded]: that sentence rendered in another language); nil when it is not to
-- be shown (the end-of-text sentinel, a rendering withheld as unfaithful).
local function shown_text(concept)
  if concept.shown == false then
    return nil
  end
  if concept.marker ~= nil and concept.marker ~= vim.NIL then
    return concept.text .. " " .. concept.marker
  end
  return concept.text
end

local function concept_lines(result, header)
  local lines, links = { header, "" }, {}
  for _, concept in ipairs(result.concepts) do
    local text = shown_text(concept)
    if text ~= nil then
      table.insert(lines, text)
      if concept.span ~= nil and concept.span ~= vim.NIL then
        links[#lines] = concept.span[1]
      end
    end
  end
  return lines, links
end

--- :LcmSummarize: the buffer (or range) summarized in a split; <CR> jumps to a sentence's source.
function M.summarize(opts)
  local source, first_line, text = buffer_text(opts)
  local params = vim.tbl_extend("force", M.config.summarize, {
    text = text,
    uri = vim.uri_from_bufnr(source),
    progressToken = next_token(),
  })
  request("summarize", params, function(result, ms)
    last_result = { id = result.resultId, source = source, first_line = first_line, text = text, links = nil }
    local lines, links = concept_lines(result, string.format("# Summary (%s, %s)", result.lang, result.resultId))
    last_result.links = links
    local buf = view.show("lcm://summary/" .. result.resultId, lines, {
      split = M.config.split,
      source = source,
      first_line = first_line,
      text = text,
      links = links,
    })
    vim.b[buf].lcm_result_id = result.resultId
    notify(string.format("summarized %d sentences into %d in %.1f s", result.source.sentences, #result.concepts, ms / 1000))
  end)
end

--- :LcmRender {lang}: the last summary (or the one in the current result buffer) in another language.
function M.render(lang)
  if not lang or lang == "" then
    notify("give a language, e.g. :LcmRender fra_Latn", vim.log.levels.WARN)
    return
  end
  local id = vim.b.lcm_result_id or (last_result and last_result.id)
  if not id then
    notify("nothing to render yet: run :LcmSummarize first", vim.log.levels.WARN)
    return
  end
  local origin = last_result
  local current = view.result_of(vim.api.nvim_get_current_buf())
  local params = vim.tbl_extend("force", M.config.render, { resultId = id, lang = lang, progressToken = next_token() })
  request("render", params, function(result)
    local lines = { string.format("# Summary (%s, %s)", result.lang, id), "" }
    for _, concept in ipairs(result.concepts) do
      local text = shown_text(concept)
      if text ~= nil then
        table.insert(lines, text)
      end
    end
    local from = current or origin
    local buf = view.show("lcm://render/" .. id .. "/" .. result.lang, lines, {
      split = M.config.split,
      source = from and from.source,
      first_line = from and from.first_line,
      text = from and from.text,
      links = from and from.links or {},
    })
    vim.b[buf].lcm_result_id = id
  end)
end

--- :LcmCancel: cancels every request in flight.
function M.cancel()
  if not client then
    return
  end
  for _, id in ipairs(client:in_flight()) do
    client:cancel(id)
  end
end

--- :LcmStop: shuts the server down (it starts again on the next command).
function M.stop()
  if client then
    client:stop()
  end
end

--- Language codes for :LcmRender completion (from initialize).
function M.complete_lang(lead)
  local out = {}
  for _, language in ipairs(server_info and server_info.languages or {}) do
    if language.code:find(lead, 1, true) == 1 then
      table.insert(out, language.code)
    end
  end
  return out
end

return M
