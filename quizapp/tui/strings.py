"""Every string of the quizapp UI, in English and Chinese.

The English text is the key (as with gettext): code writes `tr("Quit", lang)`, and binding
descriptions and tooltips are declared in English and translated where they are shown (the
footer, the help screen). `ZH` maps each English string to its Chinese. Format fields such as
`{n}` are filled after translation: `tr("{n} questions", lang).format(n=3)`.
A test walks the package for `tr("…")` calls and `Binding(...)` texts and checks each has a
translation here.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def tr(text: str, lang: str) -> str:
    """`text` (English) in `lang`; English when there is no translation."""
    if lang == "zh":
        return ZH.get(text, text)
    return text


ZH: dict[str, str] = {
    # ---------------------------------------------------------------- everywhere
    "Everywhere": "全局",
    "Quit": "退出",
    "Leave quizapp (your progress is already saved)": "退出 quizapp（进度已自动保存）",
    "Help": "帮助",
    "Show every key of the app": "显示所有快捷键",
    "Switch the interface and the questions between English and Chinese":
        "在中文和英文之间切换界面与题目",
    "Keys": "快捷键",
    "Escape closes": "按 Esc 关闭",
    "Close": "关闭",
    "Close the help": "关闭帮助",
    "Remap any key in {path} under [keys], e.g. \"drill.grade\" = \"ctrl+r,f5\".":
        "可在 {path} 的 [keys] 中重新绑定任意按键，例如 \"drill.grade\" = \"ctrl+r,f5\"。",
    "This screen is not available in this version.": "此版本中没有这个界面。",
    "Unknown drill: {d}": "未知的编程练习：{d}",
    "No questions match; choose other topics or filters.":
        "没有符合条件的题目，请换一些主题或筛选条件。",
    "Confirmation": "确认",
    "Yes": "是",
    "No": "否",
    "Yes, do it": "是，执行",
    "No, go back": "否，返回",
    "Loading questions…": "正在加载题目…",
    # ---------------------------------------------------------------- command palette
    "Home": "主页",
    "The start screen": "起始界面",
    "New quiz…": "新测验…",
    "Choose topics, kinds, difficulty and length": "选择主题、题型、难度和题量",
    "Surprise me": "随机来一组",
    "A quiz mixed from the whole bank": "从整个题库混合抽题",
    "Mock interview": "模拟面试",
    "Timed, feedback at the end": "限时，结束后统一反馈",
    "Review": "复习",
    "Today's spaced-repetition queue": "今天的间隔重复复习队列",
    "Stats": "统计",
    "Review and mastery statistics": "复习与掌握情况统计",
    "Every key of the app": "全部快捷键",
    "Quiz": "测验",
    "Drill": "编程练习",
    "{n} questions": "{n} 道题",
    # ---------------------------------------------------------------- home
    "quizapp — LLM / ML-systems interview prep": "quizapp — 大模型 / 机器学习系统面试准备",
    "Choose topics, kinds, difficulty and length for a quiz": "为测验选择主题、题型、难度和题量",
    "A quiz mixed from the whole bank, new and missed questions first":
        "从整个题库混合抽题，优先新题和错题",
    "A timed interview: no feedback until the end": "限时面试：结束前不给反馈",
    "Drills": "编程练习",
    "Pick a drill to implement (Enter opens it)": "选择一个编程练习（回车打开）",
    "Today": "今日",
    "Due today": "今日到期",
    "New": "新卡片",
    "Streak": "连续",
    "{n} d": "{n} 天",
    "Answered today": "今日已答",
    "Interview in": "距面试",
    "Cards still to cover": "面试前还需复习",
    "Progress by domain": "各领域进度",
    "Level": "难度",
    "Tracks": "赛道",
    "Best": "最好成绩",
    "not tried": "未尝试",
    "Weak spots": "薄弱环节",
    "Nothing to worry about yet: answer some questions.": "暂无薄弱环节：先答几道题吧。",
    "Quiz — choose topics, kinds, difficulty and length": "测验 — 选择主题、题型、难度和题量",
    "Surprise me — a mixed quiz, new and missed questions first":
        "随机来一组 — 混合抽题，优先新题和错题",
    "Mock interview — timed, feedback at the end": "模拟面试 — 限时，结束后反馈",
    "Review — today's spaced-repetition queue": "复习 — 今天的间隔重复队列",
    "Drills — implement the classics, graded strictly": "编程练习 — 手写经典实现，严格评测",
    "Stats — review and mastery statistics": "统计 — 复习与掌握情况",
    "Help — every key": "帮助 — 全部快捷键",
    "✓ passed": "✓ 通过",
    "{r}× the reference's time": "用时为参考实现的 {r}×",
    "space ticks · none ticked = any": "空格勾选 · 不勾 = 全部",
    "(grade {n} since you opened the drill)": "（打开本练习以来第 {n} 次评测）",
    "✗ {status}": "✗ {status}",
    # ---------------------------------------------------------------- quiz setup
    "New quiz": "新测验",
    "Start": "开始",
    "Start a quiz with these filters": "按这些条件开始测验",
    "A timed mock interview on the chosen topics (feedback at the end)":
        "针对所选主题的限时模拟面试（结束后反馈）",
    "Ignore the filters: a mixed quiz from the whole bank": "忽略筛选条件：从整个题库混合抽题",
    "Back": "返回",
    "Back to the home screen": "返回主页",
    "Back to the home screen (the filters are remembered)": "返回主页（筛选条件会被记住）",
    "Domains": "领域",
    "Topics": "主题",
    "Kinds": "题型",
    "Difficulty": "难度",
    "Questions:": "题数：",
    "{n} questions match; a quiz asks {k}.": "共 {n} 道题符合条件；本次测验出 {k} 道。",
    "recall": "记忆",
    "explain": "解释",
    "apply / calculate": "应用 / 计算",
    "compare / derive / debug": "比较 / 推导 / 调试",
    "design / edge cases": "设计 / 边界情况",
    # ---------------------------------------------------------------- question kinds
    "Single choice": "单选题",
    "Multiple choice": "多选题",
    "Numeric": "数值题",
    "Short answer": "简答题",
    "Fill in the blanks": "填空题",
    "Spot the bug": "找 bug",
    "Put in order": "排序题",
    "Number keys or ↑↓ + space to choose, Enter to submit.": "用数字键或 ↑↓ + 空格选择，回车提交。",
    "Number keys or space to tick every right option, Enter to submit.":
        "用数字键或空格勾选所有正确选项，回车提交。",
    "Type the number (units welcome), Enter to submit.": "输入数值（可带单位），回车提交。",
    "Type your answer, ctrl+s to reveal the key points, tick those you made, Enter.":
        "写下你的答案，按 ctrl+s 显示要点，勾选你答到的，回车。",
    "Fill each gap; Enter moves to the next gap and submits from the last.":
        "逐个填空；回车跳到下一个空，最后一个空回车即提交。",
    "Type the numbers of the buggy lines, Enter to submit.": "输入有 bug 的行号，回车提交。",
    "↑↓ to move the cursor, shift+↑↓ (or K/J) to move the item, Enter to submit.":
        "↑↓ 移动光标，shift+↑↓（或 K/J）移动条目，回车提交。",
    # ---------------------------------------------------------------- answering
    "Answering: options": "作答：选项",
    "Answering: ordering": "作答：排序",
    "Answering: short answer": "作答：简答",
    "Up": "上移",
    "Down": "下移",
    "Move to the previous option": "移到上一个选项",
    "Move to the next option": "移到下一个选项",
    "Toggle": "选中/取消",
    "Choose or un-choose the option under the cursor": "选中或取消光标所在选项",
    "Choose": "选择",
    "Choose (or tick) the option with this number": "选择（或勾选）该编号的选项",
    "Submit": "提交",
    "Submit the chosen option(s)": "提交所选选项",
    "Submit this order": "提交当前顺序",
    "Move item up": "条目上移",
    "Move item down": "条目下移",
    "Move the item under the cursor one place up": "把光标所在条目上移一位",
    "Move the item under the cursor one place down": "把光标所在条目下移一位",
    "Reveal key points": "显示要点",
    "Stop typing and show the model answer and key points to tick":
        "结束输入，显示参考答案和待勾选的要点",
    "Grade the key points you ticked": "按你勾选的要点评分",
    "Choose an option first (number keys or space).": "请先选择一个选项（数字键或空格）。",
    "Type a number first.": "请先输入一个数。",
    "Type at least one line number.": "请至少输入一个行号。",
    "Reveal the key points first (ctrl+s).": "请先显示要点（ctrl+s）。",
    "Cannot read that answer: {e}": "无法识别这个答案：{e}",
    "✗ Not quite. Try once more — or submit again to see the answer.":
        "✗ 不太对。再试一次——或者直接再提交一次查看答案。",
    "Your answer, then Enter": "输入答案后回车",
    "Your answer in {unit}, then Enter": "输入答案（单位 {unit}）后回车",
    "a bare number is read in {unit}": "不写单位时按 {unit} 计",
    "a number: 1,024 · 1e6 · 2^20": "数值：1,024 · 1e6 · 2^20",
    "bytes: 512 KiB · 1.5 GB · 2^20 B (KB = 10³, KiB = 2¹⁰)":
        "字节：512 KiB · 1.5 GB · 2^20 B（KB = 10³，KiB = 2¹⁰）",
    "a count: 6.7B · 70M · 1.2e9 · 7 亿": "数量：6.7B · 70M · 1.2e9 · 7 亿",
    "FLOPs: 1.2e12 · 6 TFLOP": "FLOPs：1.2e12 · 6 TFLOP",
    "a time: 250 ms · 3 µs · 2 min": "时间：250 ms · 3 µs · 2 min",
    "a percentage: 50% or 0.5": "百分比：50% 或 0.5",
    "gap {n}": "第 {n} 空",
    "expected: {x}": "答案：{x}",
    "Buggy line numbers, e.g. 2 5 — then Enter": "有 bug 的行号，如 2 5，然后回车",
    "{n} bug(s) to find; naming a correct line costs half a bug.":
        "共 {n} 个 bug；每报一个没问题的行扣半个 bug。",
    "line {n}": "第 {n} 行",
    "fix: ": "改法：",
    "belongs at position {n}": "应排在第 {n} 位",
    "essential": "必答",
    "weight {w:g}": "权重 {w:g}",
    "Type your answer, then ctrl+s to see the key points.":
        "写下你的答案，然后按 ctrl+s 查看要点。",
    "Model answer": "参考答案",
    "Tick the points your answer made (number keys / space), then Enter:":
        "勾选你答到的要点（数字键 / 空格），然后回车：",
    "Answer recorded.": "答案已记录。",
    # ---------------------------------------------------------------- feedback
    "✓ Correct": "✓ 正确",
    "✓ Passed — {p}%": "✓ 通过 — {p}%",
    "◐ Partly right — {p}%": "◐ 部分正确 — {p}%",
    "✗ Not quite": "✗ 不对",
    "Answer: ": "答案：",
    "You: {x}": "你的答案：{x}",
    "Worked: ": "计算过程：",
    "Also accepted: {x}": "也接受：{x}",
    "Right order:": "正确顺序：",
    "Why": "解析",
    "Source: {s}": "出处：{s}",
    # ---------------------------------------------------------------- quiz session
    "Next": "下一题",
    "Go to the next question (or the summary after the last)": "进入下一题（最后一题后进入总结）",
    "Skip": "跳过",
    "Skip this question; it is listed for review in the summary":
        "跳过本题；它会列入总结中的待复习",
    "End session": "结束",
    "Stop here and see the summary (answers so far are saved)":
        "到此结束并查看总结（已答的都已保存）",
    "End this session now? Your answers so far are saved.":
        "现在结束本轮吗？已作答的内容都已保存。",
    "question {i} of {n}": "第 {i} / {n} 题",
    "{p}/{a} right": "答对 {p}/{a}",
    "⏱ {m}:{s:02d} left": "⏱ 剩余 {m}:{s:02d}",
    "Time is up.": "时间到。",
    # ---------------------------------------------------------------- summary
    "Session summary": "测验总结",
    "Retry missed": "重做错题",
    "A new quiz with the questions you missed or skipped": "用答错或跳过的题再测一轮",
    "{kind} finished": "{kind}结束",
    "Score {p}%": "得分 {p}%",
    "{p} of {n} right": "{n} 题中答对 {p} 题",
    "{n} to review": "{n} 题待复习",
    "{n} unanswered": "{n} 题未作答",
    "Topic": "主题",
    "Answered": "已答",
    "Right": "答对",
    "Score": "得分",
    "Questions — Enter shows one with its feedback:": "题目 — 回车查看题目及反馈：",
    "Nothing to retry: every question was right.": "没有需要重做的题：全部答对了。",
    "Question": "题目",
    "Back to the summary": "返回总结",
    # ---------------------------------------------------------------- drill workspace
    "Drill workspace": "编程练习",
    "Grade": "评测",
    "Save and grade the solution in the sandbox": "保存并在沙箱中评测",
    "Grade + time": "评测并计时",
    "Save, grade, and time a passing solution against the reference":
        "保存、评测，并与参考实现比速度",
    "Cancel grading": "取消评测",
    "Stop the running grade (the sandboxed process is killed)":
        "停止正在进行的评测（沙箱进程会被终止）",
    "Save": "保存",
    "Write the editor to your workspace file": "把编辑器内容写入你的工作区文件",
    "Hint": "提示",
    "Reveal the next hint (hints used are recorded with your grades)":
        "显示下一条提示（使用的提示数会随评测记录）",
    "Statement": "题面",
    "Show or hide the statement beside the editor": "显示或隐藏编辑器旁的题面",
    "Watch": "监视",
    "Re-grade whenever the workspace file changes on disk": "工作区文件在磁盘上变化时自动重新评测",
    "Track": "赛道",
    "Switch between the PyTorch and the Triton track": "在 PyTorch 和 Triton 赛道之间切换",
    "$EDITOR": "$EDITOR",
    "Edit the file in $EDITOR (the app waits), then reload it":
        "用 $EDITOR 编辑文件（应用等待），之后重新载入",
    "Reset": "重置",
    "Replace your file with the starter (asks first)": "用初始模板替换你的文件（会先确认）",
    "Save and go back (from the editor: Escape twice)": "保存并返回（在编辑器中按两次 Esc）",
    "Write your solution, then ctrl+r to grade it (ctrl+b also times it).":
        "写好代码后按 ctrl+r 评测（ctrl+b 同时计时）。",
    "Signature": "函数签名",
    "Your file": "你的文件",
    "Hints: {k} of {n} shown (ctrl+g for the next)": "提示：已显示 {k}/{n}（ctrl+g 看下一条）",
    "Hints: all {n} shown": "提示：{n} 条已全部显示",
    "👁 watching": "👁 监视中",
    "● unsaved": "● 未保存",
    "Cannot read {p}: {e}": "无法读取 {p}：{e}",
    "Cannot save {p}: {e}": "无法保存 {p}：{e}",
    "Saved {p}": "已保存 {p}",
    "Back to the starter.": "已恢复为初始模板。",
    "Replace your solution with the starter? Your current code is lost.":
        "用初始模板替换你的代码吗？当前代码将丢失。",
    "Set $EDITOR (e.g. export EDITOR=vim) to edit outside the app.":
        "请设置 $EDITOR（例如 export EDITOR=vim）以便在应用外编辑。",
    "Cannot open $EDITOR here: {e}": "此处无法打开 $EDITOR：{e}",
    "This drill has only the PyTorch track.": "这个练习只有 PyTorch 赛道。",
    "No more hints: that was all of them.": "没有更多提示了：已全部显示。",
    "Grading… (Escape cancels)": "评测中…（Esc 取消）",
    "Grade remotely": "远程评测",
    "Save and grade on the SSH host set as [grading] remote in config.toml (your GPU "
    "machine); the result is recorded here":
        "保存并在 config.toml 中 [grading] remote 指定的 SSH 主机（你的 GPU 机器）上评测；"
        "结果记录在本机",
    "Grading on {host}… (Escape cancels)": "正在 {host} 上评测…（Esc 取消）",
    "(graded on {host})": "（在 {host} 上评测）",
    "No remote host: set [grading] remote = \"HOST\" in config.toml (check it with: "
    "quizapp remote check HOST)": "没有设置远程主机：在 config.toml 中设置 [grading] remote = "
    "\"HOST\"（可用 quizapp remote check HOST 检查）",
    "Cancelling…": "正在取消…",
    "Grading cancelled.": "评测已取消。",
    "Watching {p}: save it in any editor to re-grade.":
        "正在监视 {p}：在任意编辑器中保存即重新评测。",
    "The file changed on disk: your unsaved edits here were replaced.":
        "文件在磁盘上被修改：这里未保存的编辑已被替换。",
    "passed": "通过",
    "failed": "未通过",
    "error": "出错",
    "timeout": "超时",
    "memory": "超内存",
    "banned": "使用了禁用 API",
    "not run": "未运行",
    "cancelled": "已取消",
    "{p} of {n} cases passed": "{n} 个用例中通过 {p} 个",
    "(Triton interpreter)": "（Triton 解释器）",
    "Looks like a known mistake: {t}": "看起来是一个常见错误：{t}",
    "Note: {t}": "注意：{t}",
    "Case": "用例",
    "Result": "结果",
    "Max abs err": "最大绝对误差",
    "Max rel err": "最大相对误差",
    "Message": "说明",
    "Timing": "计时",
    "Device": "设备",
    "Yours": "你的",
    "Reference": "参考实现",
    "Ratio": "倍数",
    "Verdict": "结论",
    "vs Triton reference": "对比 Triton 参考实现",
    "faster": "更快",
    "slower": "更慢",
    "inconclusive": "无显著差异",
    "Your code printed:": "你的代码输出：",
    "… {n} earlier lines": "… 前面还有 {n} 行",
    # ---------------------------------------------------------------- daily loop (issue 14)
    "{n} unanswered (counted as missed)": "{n} 题未作答（记为答错）",
    "time used {m}:{s:02d} of {lm}:{ls:02d}": "用时 {m}:{s:02d}／{lm}:{ls:02d}",
    "Statement ⇄ editor": "题目 ⇄ 编辑器",
    ("Move the keyboard between the statement (arrows scroll it) and the editor (Tab indents "
     "there)"):
        "在题目（方向键滚动）和编辑器（Tab 缩进）之间切换键盘焦点",
    ("No timing: without a GPU the Triton track runs in Triton's interpreter "
     "(TRITON_INTERPRET=1), which is far too slow for a time to mean anything. "
     "Time it on a machine with an NVIDIA GPU."):
        ("没有计时：没有 GPU 时 Triton 路线在 Triton 解释器（TRITON_INTERPRET=1）中运行，"
         "慢到计时毫无意义。请在有 NVIDIA GPU 的机器上计时。"),
    "No timing: only a passing solution is timed.": "没有计时：只有通过的解答才会计时。",
    "No timing was reported for this run.": "这次运行没有计时结果。",
    ("Any key can be remapped in {path} (section [keys]; the README lists the names)."):
        "任何按键都可以在 {path} 中重新映射（[keys] 一节；名称见 README）。",
    "Cram: choose a topic": "突击：选择主题",
    "Review: rating": "复习：评分",
    "Follow-ups": "追问",
    "After a pass: a short quiz on the questions that go with this drill":
        "通过之后：针对本练习的追问小测",
    "Passed. F7 asks the {n} follow-up questions an interviewer would ask next.":
        "通过。按 F7 回答面试官接下来会问的 {n} 道追问。",
    "This drill has no follow-up questions.": "本练习没有追问题目。",
    "Follow-ups: {d}": "追问：{d}",
    # ---------------------------------------------------------------- the reference (issue 17)
    ("After a pass: the reference solution and the idiomatic baseline beside your code, with a "
     "diff (before a pass: reveal them, which counts as a hint)"):
        ("通过之后：把参考解答和惯用基线放在你的代码旁边，并给出 diff"
         "（通过之前也可以查看，但记为用了一次提示）"),
    "Unlocked by your pass.": "你已通过，参考解答已解锁。",
    "Revealed before a pass: counted as a hint on your next grade.":
        "在通过之前查看：下一次评分时记为用了一次提示。",
    ("You have not passed this drill yet. Reveal the reference solution? It counts as a hint: "
     "a pass in this round is then rated Hard."):
        "你还没有通过这个练习。要查看参考解答吗？这会记为一次提示：本轮通过后评为“困难”。",
    "Drill reference": "练习参考解答",
    "Reference solution": "参考解答",
    "Idiomatic baseline (timed)": "惯用基线（计时对照）",
    "Baseline": "基线",
    "Diff": "差异",
    "Your solution": "你的解答",
    "Your code beside the drill's reference solution": "你的代码与本练习的参考解答并排",
    "Your code beside the idiomatic baseline your timing is compared with":
        "你的代码与计时所对照的惯用基线并排",
    "What differs between your code and each of them": "你的代码与它们各自的差异",
    "Back to the drill workspace": "回到练习工作区",
    "Reference: {d} [{t}]": "参考解答：{d} [{t}]",
    "This drill has no {what}.": "这个练习没有{what}。",
    "Your solution → {what}": "你的解答 → {what}",
    "(identical)": "（完全相同）",
    # ---------------------------------------------------------------- card browser (issue 17)
    'Card browser': '卡片浏览器',
    'Search': '搜索',
    "Type to search the cards' ids and texts": '输入文字，搜索卡片的 id 和内容',
    'Suspend/unsuspend': '暂停/恢复',
    'Suspend the card (it stays out of reviews) or bring it back':
        '暂停这张卡片（不再进入复习），或恢复它',
    'Make the card new again: its schedule and lapses start over (asks first; its history stays)':
        '把卡片重置为新卡：排期和遗忘次数从头开始（会先确认；复习记录保留）',
    'Report a problem': '报告问题',
    'Write a note about what is wrong with this question to a local reports file you can send':
        '把这道题的问题写进本地的报告文件，之后可以把文件发给作者',
    'Back (from the search box: to the list)': '返回（在搜索框中时：回到列表）',
    'Search ids and texts (/)': '搜索 id 和内容（/）',
    'All kinds': '所有类型',
    'Questions': '题目',
    'Mistakes': '错误模式',
    'Mistake': '错误模式',
    'All states': '所有状态',
    'Learning': '学习中',
    'Relearning': '重新学习',
    'Suspended': '已暂停',
    'Leeches': '顽固卡',
    'All topics': '所有主题',
    'Card': '卡片',
    'Kind': '类型',
    'State': '状态',
    'Due': '到期',
    'Lapses': '遗忘次数',
    'Prompt': '题干',
    'Card browser — {n} cards': '卡片浏览器 — {n} 张卡片',
    'No cards match.': '没有符合条件的卡片。',
    'suspended': '已暂停',
    'leech': '顽固卡',
    'never met': '尚未遇到',
    'lapses {n}': '遗忘 {n} 次',
    'Back in reviews: {c}': '已恢复复习：{c}',
    'Suspended (out of reviews until you unsuspend it): {c}': '已暂停（恢复之前不再进入复习）：{c}',
    'Nothing to reset: you have not met this card yet.': '无需重置：你还没有遇到过这张卡片。',
    'Reset: {c} is new again.': '已重置：{c} 又是新卡了。',
    'Reset {c}? Its schedule and lapses start over; its review history stays.':
        '重置 {c}？排期和遗忘次数将从头开始，复习记录保留。',
    'Report saved to {p}; send that file to the authors.':
        '报告已保存到 {p}；把这个文件发给作者即可。',
    'Unknown question: {q}': '未知的题目：{q}',
    'Search cards; suspend, reset, report a problem': '搜索卡片；暂停、重置、报告问题',
    'Cards': '卡片',
    'Browse every card: search, suspend, reset, report a problem':
        '浏览所有卡片：搜索、暂停、重置、报告问题',
    'Send': '发送',
    'Save the report to the reports file': '把报告保存到报告文件',
    'Cancel': '取消',
    'Close without saving a report': '关闭，不保存报告',
    'Report a problem with {q}': '报告问题：{q}',
    ("What is wrong (a wrong answer, a typo, an unclear prompt)? The report stays on this "
     "computer until you send the file."):
        "哪里有问题（答案错误、笔误、题干不清楚）？报告只保存在这台电脑上，直到你把文件发出去。",
    # ---------------------------------------------------------------- interview date
    'Interview date': '面试日期',
    'Interview date…': '面试日期…',
    'Plan review to cover every card before your interview': '安排复习，在面试前覆盖所有卡片',
    'Set the day of your interview: review plans to cover every card by then':
        '设置面试日期：复习会安排在那天之前覆盖所有卡片',
    'Close without changing the date': '关闭，不修改日期',
    ("Until that day, review adds a few cards a day so that every card you have met is seen "
     "once more before it. Enter to save; an empty field clears the date; Esc cancels."):
        "在那天之前，复习每天会多安排几张卡片，让你见过的每张卡片在面试前都再复习一次。"
        "回车保存；留空则清除日期；Esc 取消。",
    'Interview date cleared': '已清除面试日期',
    'Interview date set: {d}': '面试日期已设为 {d}',
}
