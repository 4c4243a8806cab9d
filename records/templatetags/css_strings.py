from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def css_string(value) -> SafeString:
    """`value` escaped for the inside of a double-quoted CSS string (a PDF's @page `content:`).

    HTML escaping is wrong there (a <style> element shows `&#x27;` as typed) and so is
    `escapejs` (CSS reads `\\u0027` as "u0027"). Each character but a letter, a digit or a space
    becomes a CSS escape: six hex digits and the space that ends it, so the character after it
    is never taken as part of it. Nothing can then close the string or the <style> element.
    """
    return mark_safe(
        "".join(
            c
            if c == " " or (c.isalnum() if c.isascii() else c.isprintable())
            else f"\\{ord(c):06x} "
            for c in str(value)
        )
    )
