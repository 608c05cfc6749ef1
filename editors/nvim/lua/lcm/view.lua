-- Result buffers (outline, summary, rendering) and jumping from a result line back to the source.
-- The server's spans are [start, end) offsets in UTF-16 code units into the text that was sent;
-- each result line remembers the source buffer, the first line of the text sent, the text itself
-- and the span, and <CR> turns that into a cursor position in the source.

local M = {}

-- bufnr -> { source = bufnr, first_line = n (0-based), text = string, links = { [line] = span_start } }
local results = {}

--- UTF-16 offset into `text` -> 0-based (line, byte column), counting from `first_line`.
function M.position(text, utf16, first_line)
  local ok, byte = pcall(vim.str_byteindex, text, utf16, true)
  if not ok then
    byte = #text
  end
  local before = text:sub(1, byte)
  local _, newlines = before:gsub("\n", "")
  local last_newline = before:match(".*()\n")
  local col = last_newline and (byte - last_newline) or byte
  return first_line + newlines, col
end

--- A scratch buffer in a new split (or the one already showing `name`), filled with `lines`.
function M.show(name, lines, opts)
  opts = opts or {}
  local existing = vim.fn.bufnr(name)
  local buf
  if existing ~= -1 and vim.api.nvim_buf_is_valid(existing) then
    buf = existing
    local win = vim.fn.bufwinid(buf)
    if win ~= -1 then
      vim.api.nvim_set_current_win(win)
    else
      vim.cmd(opts.split or "vsplit")
      vim.api.nvim_win_set_buf(0, buf)
    end
  else
    vim.cmd(opts.split or "vsplit")
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
    vim.api.nvim_win_set_buf(0, buf)
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "hide"
    vim.bo[buf].swapfile = false
    vim.bo[buf].filetype = "markdown"
    vim.keymap.set("n", "<CR>", function()
      M.jump()
    end, { buffer = buf, desc = "lcm: go to the source of this line" })
  end
  vim.bo[buf].modifiable = true
  -- Result text is one concept per line: newlines inside a concept would break the line links.
  local flat = {}
  for i, line in ipairs(lines) do
    flat[i] = (line:gsub("[\r\n]+", " "))
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, flat)
  vim.bo[buf].modifiable = false
  results[buf] = { source = opts.source, first_line = opts.first_line or 0, text = opts.text or "", links = opts.links or {} }
  return buf
end

function M.result_of(buf)
  return results[buf]
end

--- From a result line to its source: the source buffer in the window before, cursor on the span.
function M.jump()
  local buf = vim.api.nvim_get_current_buf()
  local result = results[buf]
  if not result or not result.source then
    return false
  end
  local line = vim.api.nvim_win_get_cursor(0)[1]
  local start = result.links[line]
  if not start or not vim.api.nvim_buf_is_valid(result.source) then
    vim.notify("lcm: this line has no source position", vim.log.levels.INFO)
    return false
  end
  local row, col = M.position(result.text, start, result.first_line)
  local win = vim.fn.bufwinid(result.source)
  if win == -1 then
    vim.cmd("wincmd p")
    vim.api.nvim_win_set_buf(0, result.source)
  else
    vim.api.nvim_set_current_win(win)
  end
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  return true
end

return M
