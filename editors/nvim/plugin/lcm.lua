-- Commands of the lcm plugin; the server starts on the first one (lua/lcm/init.lua).
if vim.g.loaded_lcm then
  return
end
vim.g.loaded_lcm = true

local function lcm()
  return require("lcm")
end

vim.api.nvim_create_user_command("LcmOutline", function(opts)
  lcm().outline(opts)
end, { range = "%", desc = "lcm: outline of the buffer (or range) in a split" })

vim.api.nvim_create_user_command("LcmSummarize", function(opts)
  lcm().summarize(opts)
end, { range = "%", desc = "lcm: summary of the buffer (or visual range) in a split" })

vim.api.nvim_create_user_command("LcmRender", function(opts)
  lcm().render(opts.args)
end, {
  nargs = 1,
  complete = function(lead)
    return lcm().complete_lang(lead)
  end,
  desc = "lcm: the last summary in another language (a FLORES-200 code such as fra_Latn)",
})

vim.api.nvim_create_user_command("LcmCancel", function()
  lcm().cancel()
end, { desc = "lcm: cancel the requests in flight" })

vim.api.nvim_create_user_command("LcmStop", function()
  lcm().stop()
end, { desc = "lcm: stop the server" })

vim.api.nvim_create_autocmd("VimLeavePre", {
  callback = function()
    if package.loaded["lcm"] then
      require("lcm").stop()
    end
  end,
})
