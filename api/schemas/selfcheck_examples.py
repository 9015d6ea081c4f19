"""Examples shown in the OpenAPI schema for self-check answers: what the real checker answers for

    <ul><li>产品名称：智能水杯</li><li>执行标准：T/SHHJ 000003-2018（上海标准）</li></ul><p>本产品通过上海标准认证</p>

on a shop's item page (tests check that each example is a valid answer)."""

from __future__ import annotations

from typing import Any

CLAIM_EXAMPLE: dict[str, Any] = {
    "id": "c2",
    "kind": "text",
    "text": "上海标准",
    "verbatim": "上海标准",
    "use": "product",
    "use_signals": ["near:product-subject", "near:certification-form", "page:price", "page:item-url"],
    "use_confidence": "high",
    "standard_code": "T/SHHJ 000003-2018",
    "product_name": "智能水杯",
    "snippet": "本产品通过上海标准认证",
    "location": "html > body > p:nth-of-type(2)",
}

_PLACE: dict[str, Any] = {
    "snippet": "本产品通过上海标准认证",
    "location": "html > body > p:nth-of-type(2)",
    "claim_id": "c2",
    "kind": "text",
    "verbatim": "上海标准",
}

FINDING_EXAMPLE: dict[str, Any] = {
    "rule_id": "SHS009",
    "rule": "certification-wording",
    "severity": "medium",
    "standard_code": "T/SHHJ 000003-2018",
    "claim_id": "c2",
    "claim_ids": ["c2"],
    "message": "“上海标准”被表述为产品认证、奖项或政府批准（通过…认证、认证），易引人误解。 / 上海标准 is presented "
    "as a product certification, award or government approval (通过…认证、认证), which misleads.",
    "basis": "关于深化推进“上海标准”标识制度实施的意见（沪市监规范〔2023〕12号） part 4; 中华人民共和国反不正当竞争法 Art. 8",
    "remediation": "“上海标准”是对标准的评价而非产品认证：改用“执行标准：编号（上海标准）”的表述。 / 上海标准 evaluates a "
    "standard, not a product: use the form 执行标准：<code>（上海标准）.",
    "evidence": _PLACE,
    "locations": [_PLACE],
    "confidence": "high",
    "confidence_reasons": [
        {
            "code": "use",
            "detail": "product (near:product-subject, near:certification-form, page:price, page:item-url)",
            "sends_to_review": False,
            "en": "classified as: product (near:product-subject, near:certification-form, page:price, "
            "page:item-url)",
            "zh": "用途判定: product (near:product-subject, near:certification-form, page:price, page:item-url)",
        },
        {
            "code": "tie",
            "detail": "page",
            "sends_to_review": False,
            "en": "tied by: page",
            "zh": "关联方式: page",
        },
    ],
}
