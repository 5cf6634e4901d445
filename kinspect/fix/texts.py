"""What `kinspect fix` tells the user, in English and Chinese."""

from __future__ import annotations

from typing import Any

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        # why an operation or a finding was not fixed
        "alias": "the field is reached through a YAML alias (*name): editing it would change "
        "every place that uses it",
        "anchor": "the field is inside a YAML anchor (&name) that aliases may share",
        "merge": "{path} may come from a YAML merge key (<<)",
        "blockScalar": "the value is a block scalar (| or >), which is not replaced",
        "shape": "{path} holds a {kind}, which the fix does not replace",
        "noItem": "{path} does not exist",
        "layout": "the layout around the field is not one kinspect edits",
        "placeholder": "the fix needs {path}, which is not set",
        "json": "a JSON file cannot hold the TODO comment that marks the placeholder",
        "shared": "{path} is shared with a suppressed finding",
        "noFix": "the check has no automatic fix",
        "stillFails": "still fails after the fix",
        "byHand": "the kustomize build has it here, but the file alone does not (e.g. a JSON "
        "6902 patch): change it by hand",
        "setByKustomize": "set by the kustomization (an images:, replicas: or label entry, a "
        "generator or an inline patch): change it by hand",
        "mapping": "mapping",
        "list": "list",
        "scalar": "scalar",
        # files
        "unsafe": "the edited text would not hold exactly the intended change; nothing was "
        "written (hint: please report this)",
        "chart": "Helm chart not fixed: kinspect fix edits plain YAML files (hint: change its "
        "templates or values; kinspect lint {name} shows where)",
        "template": "Helm template not fixed: it is YAML only once rendered (hint: change it by "
        "hand; kinspect lint on the chart shows where)",
        "rendered": "Helm-rendered output not fixed (hint: change the chart instead: {sources})",
        "patch": "kustomize patch not fixed on its own: it is complete only once the "
        "kustomization applies it (hint: kinspect fix {kustomization} fixes it through the build)",
        "kustomized": "kustomize output not fixed (hint: change {sources} instead)",
        "kustomizedUnknown": "kustomize output not fixed (hint: change the files of the "
        "kustomization it was built from)",
        "changed": "changed on disk while kinspect was fixing it; not written (hint: run "
        "kinspect fix again)",
        "writeFailed": "cannot write the fixed file: {error}",
        "outside": "not written: the file is {path}, outside the paths given (hint: give a "
        "directory that holds it to kinspect fix, if it is to be fixed)",
        "notRegular": "not written: not a regular file",
        "hardLinks": "not written: the file has {count} hard links, which replacing it would "
        "split (hint: fix it by hand, or copy it to break the links)",
        "readOnly": "not written: the file is read-only (hint: chmod u+w it to have it fixed)",
        "owner": "not written: the fixed file cannot keep the owner and group of the file "
        "({error})",
        # summary
        "fixed": "{file}: fixed {count} finding(s): {checks}",
        "would": "{file}: would fix {count} finding(s): {checks}",
        "left": "{where}: {check} not fixed: {reason}",
        "summary": "{count} finding(s) fixed in {files} file(s), {left} left to fix by hand",
        "summaryDiff": "{count} finding(s) would be fixed in {files} file(s), {left} left to fix "
        "by hand",
        "nothing": "nothing to fix",
        "warning": "warning",
    },
    "zh": {
        "alias": "该字段经由 YAML 别名（*name）引用：修改它会同时改变所有引用处",
        "anchor": "该字段位于可能被别名共享的 YAML 锚点（&name）中",
        "merge": "{path} 可能来自 YAML 合并键（<<）",
        "blockScalar": "该值是块标量（| 或 >），不会被替换",
        "shape": "{path} 的值是{kind}，修复不会替换它",
        "noItem": "{path} 不存在",
        "layout": "该字段附近的排版方式 kinspect 不做修改",
        "placeholder": "修复需要 {path} 的值，但它未设置",
        "json": "JSON 文件无法保存标记占位值的 TODO 注释",
        "shared": "{path} 与一个已被抑制的问题共用",
        "noFix": "该检查项没有自动修复",
        "stillFails": "修复后仍未通过",
        "byHand": "kustomize 构建结果在此处有该问题，但单独的文件中没有（例如 JSON 6902 补丁）："
        "请手动修改",
        "setByKustomize": "由 kustomization 设置（images:、replicas:、标签条目、生成器或"
        "内联补丁）：请手动修改",
        "mapping": "映射",
        "list": "列表",
        "scalar": "标量",
        "unsafe": "修改后的文本与预期的修改不完全一致；未写入任何内容（提示：请报告此问题）",
        "chart": "未修复 Helm Chart：kinspect fix 只修改普通 YAML 文件"
        "（提示：请修改其模板或 values；kinspect lint {name} 会指出位置）",
        "template": "未修复 Helm 模板：模板只有渲染后才是 YAML（提示：请手动修改；对 Chart 运行 "
        "kinspect lint 会指出位置）",
        "rendered": "未修复 Helm 渲染输出（提示：请改为修改 Chart：{sources}）",
        "patch": "未单独修复 kustomize 补丁：补丁只有被 kustomization 应用后才完整"
        "（提示：kinspect fix {kustomization} 会通过构建修复它）",
        "kustomized": "未修复 kustomize 输出（提示：请改为修改 {sources}）",
        "kustomizedUnknown": "未修复 kustomize 输出（提示：请修改构建它的 kustomization 中的文件）",
        "changed": "修复期间文件在磁盘上被修改；未写入（提示：请重新运行 kinspect fix）",
        "writeFailed": "无法写入修复后的文件：{error}",
        "outside": "未写入：该文件是 {path}，不在给定的路径之内（提示：如需修复，请把包含它的目录"
        "交给 kinspect fix）",
        "notRegular": "未写入：不是普通文件",
        "hardLinks": "未写入：该文件有 {count} 个硬链接，替换它会拆分这些链接（提示：请手动修复，"
        "或复制该文件以断开链接）",
        "readOnly": "未写入：该文件是只读的（提示：如需修复，请 chmod u+w）",
        "owner": "未写入：修复后的文件无法保留原文件的所有者和组（{error}）",
        "fixed": "{file}：已修复 {count} 个问题：{checks}",
        "would": "{file}：将修复 {count} 个问题：{checks}",
        "left": "{where}：{check} 未修复：{reason}",
        "summary": "已在 {files} 个文件中修复 {count} 个问题，另有 {left} 个需要手动修复",
        "summaryDiff": "将在 {files} 个文件中修复 {count} 个问题，另有 {left} 个需要手动修复",
        "nothing": "没有需要修复的内容",
        "warning": "警告",
    },
}


def text(lang: str, label: str, **fields: Any) -> str:
    """The text `label` in `lang` (English when missing), with its fields filled in."""
    template = _TEXTS.get(lang, _TEXTS["en"]).get(label) or _TEXTS["en"][label]
    return template.format(**fields)
