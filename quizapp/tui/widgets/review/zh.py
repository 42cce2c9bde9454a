"""Chinese for the strings of the review and stats screens (merged into `strings.ZH`)."""

from __future__ import annotations

REVIEW_ZH: dict[str, str] = {
    # mistake cards, leeches, the interview date
    "Your mistake": "你犯过的错误",
    "Before the interview": "面试前加复",
    "Leech: forgotten {n} times. Reviewing it the same way rarely helps; try this first.":
        "顽固卡片：已经忘记 {n} 次。照原样再复习通常没用，先试试下面的办法。",
    "• Practise the drill: {d}": "• 先做编程练习：{d}",
    "• An easier question first: {q}": "• 先做一道更简单的题：{q}",
    "• Hint: {h}": "• 提示：{h}",
    "Or suspend it: quizapp progress suspend {key}": "或者暂停它：quizapp progress suspend {key}",
    # bindings
    "Undo": "撤销",
    "Take back the last rating": "撤销上一次评分",
    "Open drill": "打开练习",
    "Solve this drill again from a blank starter": "从空白模板重新完成这道编程练习",
    "Check grade": "查看评测",
    "Read the drill's latest grades and propose a rating":
        "读取这道练习最新的评测结果并给出建议评分",
    "Cram a topic": "突击一个主题",
    "Practise one topic without changing the schedule": "集中练习一个主题，不改变复习计划",
    "Stats": "统计",
    "Review and mastery statistics": "复习与掌握度统计",
    "Back": "返回",
    "Leave the review (every rating is already saved)": "离开复习（每次评分都已保存）",
    "Cancel": "取消",
    "Close without choosing": "不选择，直接关闭",
    "Start today's review queue": "开始今天的复习",
    "Refresh": "刷新",
    "Recompute the statistics": "重新计算统计",
    "Go back": "返回",
    "Again": "重来",
    "Forgot or wrong: see it again soon": "忘了或答错：很快再看一次",
    "Hard": "困难",
    "Right, but with a struggle (a hint, a second try)": "答对了，但很吃力（看了提示或试了第二次）",
    "Good": "良好",
    "Right": "答对了",
    "Easy": "简单",
    "Right and effortless: a longer interval": "轻松答对：间隔更长",
    "Rate as proposed": "按建议评分",
    "Take the highlighted rating": "采用高亮的评分",
    # review screen
    "New": "新卡",
    "Review": "复习",
    "Learning": "学习中",
    "Relearning": "重新学习",
    "Cram": "突击",
    "Rating taken back.": "已撤销评分。",
    "F4: cram a topic · t: statistics · u: undo · Esc: back":
        "F4：突击一个主题 · t：统计 · u：撤销 · Esc：返回",
    "Type to filter": "输入以筛选",
    "Previous": "上一项",
    "Move down the list (while typing too)": "在列表中下移（输入时也可用）",
    "Move up the list (while typing too)": "在列表中上移（输入时也可用）",
    "Loading questions…": "正在加载题目…",
    "Nothing to undo.": "没有可撤销的评分。",
    "Cram which topic?": "突击哪个主题？",
    "Nothing to review right now.": "现在没有要复习的卡片。",
    "Review · {new} new · {learning} learning · {due} due · {done} done":
        "复习 · 新卡 {new} · 学习中 {learning} · 到期 {due} · 已完成 {done}",
    "now": "现在",
    "Cram: {t} · {n} left · {d} done · the schedule is not changed":
        "突击：{t} · 剩余 {n} · 已完成 {d} · 不改变复习计划",
    "Done: {n} card(s) reviewed — Again {a} · Hard {h} · Good {g} · Easy {e}.":
        "完成：复习了 {n} 张卡片 — 重来 {a} · 困难 {h} · 良好 {g} · 简单 {e}。",
    "Solve it in your editor, grade it with 'quizapp grade {d}', then press g here.":
        "在编辑器里完成，用 'quizapp grade {d}' 评测，然后在这里按 g。",
    "Next card due in {w}.": "下一张卡片 {w} 后到期。",
    "Drill {d} (its definition could not be loaded): rate from memory.":
        "练习 {d}（无法加载其定义）：请凭记忆评分。",
    "see again": "稍后再看",
    "next": "下一张",
    # drill card
    "Solve it again from a blank starter: o opens the drill with a fresh starter file, "
    "ctrl+r there grades it. Passing without hints is Good.":
        "从空白模板重新完成：按 o 用全新的模板文件打开练习，在那里按 ctrl+r 评测。"
        "不看提示通过即为「良好」。",
    "No grade recorded yet: o opens the drill again, or rate by hand.":
        "还没有评测记录：按 o 再次打开练习，或手动评分。",
    "Drill: {t}": "编程练习：{t}",
    "Your previous solution was kept as {f}.": "你之前的解答已保存为 {f}。",
    "Passed on run {n}": "第 {n} 次运行通过",
    "Not passed yet ({n} run(s))": "尚未通过（运行了 {n} 次）",
    ", after {h} hint(s)": "，看了 {h} 条提示",
    # stats screen
    "Today": "今天",
    "Mastery (mean recall probability now; unseen count 0)":
        "掌握度（当前平均回忆概率；未学过的按 0 计）",
    "Due in the next 30 days": "未来 30 天到期",
    "Accuracy (not rated Again)": "正确率（未评为「重来」）",
    "Reviews per day, last 12 months": "过去 12 个月每天的复习量",
    "Drills": "编程练习",
    "Drill": "练习",
    "Runs": "运行次数",
    "Passes": "通过次数",
    "Best time": "最快用时",
    "Best speed ratio": "最佳速度比",
    "Recall now": "当前回忆概率",
    "No reviews yet.": "还没有复习记录。",
    "day streak": "天连续",
    "Weakest reviewed topics (recall now):": "最薄弱的已复习主题（当前回忆概率）：",
    "No questions loaded.": "没有加载题目。",
    "days": "天",
    "{p:.0%} of {n} reviews in {d} days": "{d} 天内 {n} 次复习，正确率 {p:.0%}",
    "one column per week": "每列一周",
    "less": "少",
    "more": "多",
    "{a} active days of {d}": "{d} 天中有 {a} 天复习",
    "due": "到期",
    "new": "新卡",
    "Cards: {t} — {n} new, {l} learning, {r} review, {rl} relearning, {x} retired · "
    "{rev} reviews in all":
        "卡片：{t} — 新卡 {n}，学习中 {l}，复习中 {r}，重新学习 {rl}，已退役 {x} · 共复习 {rev} 次",
    "{t} due today, {w} this week, {m} in 30 days": "今天到期 {t}，本周 {w}，30 天内 {m}",
    "Recall of due cards, last 30 days: {r:.0%} (target {t:.0%})":
        "过去 30 天到期卡片的回忆率：{r:.0%}（目标 {t:.0%}）",
    "reviewed today in {m} min": "今天已复习，用时 {m} 分钟",
    "busiest {day}: {n}": "最多的一天 {day}：{n}",
}
