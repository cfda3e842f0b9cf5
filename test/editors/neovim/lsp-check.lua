-- Headless Neovim (0.7+) as an LSP client of vforklint-lsp:
--   nvim --headless -u NONE -l? (0.7 has no -l) -> nvim --headless -u NONE -c "luafile lsp-check.lua"
-- Environment: VFL_SERVER (dist/server/main.js), VFL_FILE (file to open), VFL_FILETYPE,
-- VFL_SPLIT (1: apply the frame-split code action at the first parent-reuses-frame
-- finding), VFL_OUT (JSON result file). Writes what it saw; the test asserts.
local out = { diagnostics = {}, actions = {}, after = {}, errors = {} }
local function finish()
  local f = io.open(os.getenv('VFL_OUT'), 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qa!')
end
local ok, err = pcall(function()
  local file = os.getenv('VFL_FILE')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = os.getenv('VFL_FILETYPE')
  local client_id = vim.lsp.start_client({
    name = 'vforklint',
    cmd = { 'node', os.getenv('VFL_SERVER'), '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    on_error = function(code, e) table.insert(out.errors, tostring(code) .. ' ' .. vim.inspect(e)) end,
    on_exit = function(code, signal) table.insert(out.errors, 'server exited: code ' .. tostring(code) .. ', signal ' .. tostring(signal)) end,
  })
  if not client_id then error('start_client failed') end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local function diags()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(list, { line = d.lnum + 1, code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code, source = d.source, message = d.message })
    end
    return list
  end
  if not vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
    error('no diagnostics within 20 s; client errors: ' .. vim.inspect(out.errors))
  end
  out.diagnostics = diags()
  if os.getenv('VFL_SPLIT') == '1' then
    local target
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code
      if code == 'parent-reuses-frame' and (target == nil or d.lnum < target.lnum) then target = d end
    end
    if not target then error('no parent-reuses-frame diagnostic') end
    local client = vim.lsp.get_client_by_id(client_id)
    local lsp_diag = target.user_data and target.user_data.lsp or {}
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = { line = target.lnum, character = target.col }, ['end'] = { line = target.end_lnum, character = target.end_col } },
      context = { diagnostics = { lsp_diag } },
    }
    local res = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
    if not res or res.err then error('codeAction failed: ' .. vim.inspect(res)) end
    local split
    for _, a in ipairs(res.result or {}) do
      table.insert(out.actions, a.title)
      if split == nil and a.edit and a.title:lower():find('split') then split = a end
    end
    if split then
      vim.lsp.util.apply_workspace_edit(split.edit, 'utf-16')
      local function clean()
        for _, d in ipairs(vim.diagnostic.get(bufnr)) do
          local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code
          if code == 'parent-reuses-frame' or code == 'child-returns' then return false end
        end
        return true
      end
      out.cleared = vim.wait(20000, clean, 50)
      out.after = diags()
      out.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    end
  end
end)
if not ok then out.error = tostring(err) end
finish()
