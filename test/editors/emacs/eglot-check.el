;;; eglot-check.el --- Emacs + eglot as an LSP client of vforklint-lsp, in --batch.
;; Environment: VFL_SERVER (dist/server/main.js), VFL_FILE (a C file).
;; Prints one line per flymake diagnostic: "DIAG <line> <type> <text>", then "DONE" or
;; "FAIL <reason>". Exits 0 when diagnostics arrived, 1 otherwise.
(require 'package)
(package-initialize)
(require 'eglot)
(require 'flymake)
(setq eglot-sync-connect 10
      eglot-autoshutdown t
      eglot-events-buffer-size 0
      flymake-no-changes-timeout nil
      inhibit-message nil)
(add-to-list 'eglot-server-programs
             `((c-mode c-ts-mode) . ("node" ,(getenv "VFL_SERVER") "--stdio")))
(defun vfl-fail (fmt &rest args)
  (princ (concat "FAIL " (apply #'format fmt args) "\n"))
  (kill-emacs 1))
(condition-case err
    (progn
      (find-file (getenv "VFL_FILE"))
      (c-mode)
      (apply #'eglot (eglot--guess-contact))
      (unless (eglot-current-server) (vfl-fail "eglot did not connect"))
      (flymake-mode 1)
      (flymake-start)
      (let ((deadline (+ (float-time) 30)))
        (while (and (null (flymake-diagnostics)) (< (float-time) deadline))
          (accept-process-output nil 0.1)
          (flymake-start)))
      (let ((diags (flymake-diagnostics)))
        (unless diags (vfl-fail "no flymake diagnostics within 30 s"))
        (dolist (d diags)
          (princ (format "DIAG %d %s %s\n"
                         (line-number-at-pos (flymake-diagnostic-beg d))
                         (flymake-diagnostic-type d)
                         (replace-regexp-in-string "\n" " " (flymake-diagnostic-text d)))))
        (princ "DONE\n")
        (ignore-errors (eglot-shutdown (eglot-current-server)))
        (kill-emacs 0)))
  (error (vfl-fail "%S" err)))
