"""Runs a command under a pseudo-terminal, answering prompts: run-in-pty.py TIMEOUT PROMPT ANSWER [PROMPT ANSWER...] -- CMD...

Each ANSWER is written (with a CR, as Enter sends) once PROMPT has appeared in the output.
Prints a JSON object {"output": <everything the terminal showed>, "status": <exit status>}.
"""
import json, os, pty, select, sys, time

args = sys.argv[1:]
timeout = float(args.pop(0))
sep = args.index('--')
pairs, cmd = args[:sep], args[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

out = b''
deadline = time.time() + timeout
answers = [(pairs[i].encode(), pairs[i + 1].encode()) for i in range(0, len(pairs), 2)]
seen_upto = 0
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if answers:
        idx = out.find(answers[0][0], seen_upto)
        if idx != -1:
            seen_upto = idx + len(answers[0][0])
            time.sleep(0.05)
            os.write(fd, answers[0][1] + b'\r')
            answers.pop(0)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': out.decode('utf-8', 'replace'), 'status': os.waitstatus_to_exitcode(status)}))
